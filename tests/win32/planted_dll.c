/* A DLL to plant beside a copy of ohc.exe (test_dll_planting.sh): built as
 * winhttp.dll, bcrypt.dll and crypt32.dll, it only leaves a trace when
 * loaded (appends its name to the file %OHC_PLANTED_TRACE%). ohc.exe must
 * never load it: it takes those DLLs from System32 only. */
#include <windows.h>

BOOL WINAPI DllMain(HINSTANCE self, DWORD reason, LPVOID reserved);
BOOL WINAPI DllMain(HINSTANCE self, DWORD reason, LPVOID reserved)
{
    (void)reserved;
    if (reason != DLL_PROCESS_ATTACH)
        return TRUE;
    wchar_t trace[MAX_PATH], name[MAX_PATH];
    DWORD n = GetEnvironmentVariableW(L"OHC_PLANTED_TRACE", trace, MAX_PATH);
    if (n == 0 || n >= MAX_PATH || GetModuleFileNameW(self, name, MAX_PATH) == 0)
        return TRUE;
    HANDLE f = CreateFileW(trace, FILE_APPEND_DATA, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL, OPEN_ALWAYS, 0, NULL);
    if (f != INVALID_HANDLE_VALUE) {
        DWORD w;
        WriteFile(f, name, (DWORD)(lstrlenW(name) * sizeof *name), &w, NULL);
        WriteFile(f, L"\n", sizeof(wchar_t), &w, NULL);
        CloseHandle(f);
    }
    return TRUE;
}
