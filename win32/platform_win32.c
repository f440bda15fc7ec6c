#include "platform_win32.h"

#include "eventlog_win32.h"
#include "probes_win32.h"
#include "service.h"
#include "settings_win32.h"
#include "upload_proxy_win32.h"

static const ohc_command win32_commands[] = {
    {"service", ohc_service_cmd, "service install|uninstall|start|stop|status|collect-now",
     "manage the ohc Windows service"},
};

const ohc_platform *ohc_win32_platform(void)
{
    static ohc_platform p;
    p.probes = ohc_win32_probes(&p.probe_count);
    p.settings.read = ohc_win32_settings_read;
    p.settings.write = ohc_win32_settings_write;
    p.resolve_proxy = ohc_win32_upload_proxy_for_url;
    p.commands = win32_commands;
    p.command_count = sizeof win32_commands / sizeof win32_commands[0];
    p.write_eventlog = ohc_win32_eventlog_write;
    p.eventlog_state_path = ohc_win32_eventlog_state_path;
    return &p;
}
