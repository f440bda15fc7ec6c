# demo: Outlook 2010 with ProxyServerFlags 0x23 by policy (restart loop), a WinHTTP proxy nobody listens on, a user proxy with a PAC URL
# Sourced by scripts/demo (WINEPREFIX is set). One `reg import` puts it all in.
_demo_port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
# WinHttpSettings as `netsh winhttp set proxy` writes it: 0x18, counter 0, flags 3, proxy, bypass.
_demo_blob=$(/usr/bin/python3 -c 'import struct,sys
p=sys.argv[1].encode(); b=b"<local>;*.contoso.com"
d=struct.pack("<III",0x18,0,3)+struct.pack("<I",len(p))+p+struct.pack("<I",len(b))+b
print(",".join("%02x"%x for x in d))' "127.0.0.1:$_demo_port")
mkdir -p "$DEMO"
cat > "$DEMO/20-outlook-proxy.reg" <<REG
Windows Registry Editor Version 5.00

[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\Connections]
"WinHttpSettings"=hex:$_demo_blob

[HKEY_CURRENT_USER\\Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings]
"ProxyEnable"=dword:00000001
"ProxyServer"="proxy.contoso.test:8080"
"ProxyOverride"="<local>"
"AutoConfigURL"="http://wpad.contoso.test/proxy.pac"

[HKEY_LOCAL_MACHINE\\SOFTWARE\\WOW6432Node\\Microsoft\\Office\\14.0\\Outlook]
"Bitness"="x86"

[HKEY_LOCAL_MACHINE\\SOFTWARE\\WOW6432Node\\Microsoft\\Office\\14.0\\Outlook\\InstallRoot]
"Path"="C:\\\\Program Files (x86)\\\\Microsoft Office\\\\Office14\\\\"

[HKEY_CURRENT_USER\\Software\\Microsoft\\Office\\14.0\\Outlook\\RPC]
"ProxyServer"="mail.contoso.test"
"ProxyServerFlags"=dword:00000003

[HKEY_CURRENT_USER\\Software\\Policies\\Microsoft\\office\\14.0\\outlook\\RPC]
"ProxyServerFlags"=dword:00000023
"ProxyServer"="mail.contoso.test"
"ProxyServerPrincipalName"="msstd:mail.contoso.test"
"ProxyAuthenticationService"=dword:00000002
REG
wine reg import 'Z:'"$(echo "$DEMO/20-outlook-proxy.reg" | tr / '\\')" >/dev/null 2>&1
unset _demo_port _demo_blob
