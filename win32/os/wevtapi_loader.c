#include "wevtapi_loader.h"

#include <string.h>

#include "win32util.h"

/* Function pointers from GetProcAddress: memcpy avoids the cast warning. */
#define LOAD(field, name)                                                                                              \
    do {                                                                                                               \
        FARPROC p_ = GetProcAddress(api->dll, name);                                                                   \
        if (p_ != NULL)                                                                                                \
            memcpy(&api->field, &p_, sizeof api->field);                                                               \
    } while (0)

int ohc_wevtapi_load(ohc_wevtapi *api, ohc_error *err)
{
    static const wchar_t name[] = L"\\wevtapi.dll";
    memset(api, 0, sizeof *api);
    wchar_t path[MAX_PATH + sizeof name / sizeof name[0]];
    UINT n = GetSystemDirectoryW(path, MAX_PATH);
    if (n == 0 || n >= MAX_PATH)
        return ohc_win32_error(err, OHC_EUNAVAILABLE, GetLastError(), "GetSystemDirectory");
    memcpy(path + n, name, sizeof name);
    /* A full path: the DLL search order (application folder first) never
     * applies; the altered search path makes its own imports resolve from
     * System32 too. */
    api->dll = LoadLibraryExW(path, NULL, LOAD_WITH_ALTERED_SEARCH_PATH);
    if (api->dll == NULL)
        return ohc_win32_error(err, OHC_EUNAVAILABLE, GetLastError(), "event log API: cannot load wevtapi.dll");
    LOAD(query, "EvtQuery");
    LOAD(next, "EvtNext");
    LOAD(close, "EvtClose");
    LOAD(create_render_context, "EvtCreateRenderContext");
    LOAD(render, "EvtRender");
    LOAD(open_publisher_metadata, "EvtOpenPublisherMetadata");
    LOAD(format_message, "EvtFormatMessage");
    LOAD(open_channel_config, "EvtOpenChannelConfig");
    LOAD(get_channel_config_property, "EvtGetChannelConfigProperty");
    LOAD(subscribe, "EvtSubscribe");
    if (!api->query || !api->next || !api->close || !api->create_render_context || !api->render) {
        ohc_wevtapi_unload(api);
        return ohc_error_set(err, OHC_EUNAVAILABLE, ERROR_PROC_NOT_FOUND,
                             "event log API: wevtapi.dll lacks EvtQuery/EvtNext/EvtRender");
    }
    if (!api->open_publisher_metadata || !api->format_message)
        api->open_publisher_metadata = NULL, api->format_message = NULL;
    if (!api->open_channel_config || !api->get_channel_config_property)
        api->open_channel_config = NULL, api->get_channel_config_property = NULL;
    return OHC_OK;
}

void ohc_wevtapi_unload(ohc_wevtapi *api)
{
    if (api == NULL)
        return;
    if (api->dll != NULL)
        FreeLibrary(api->dll);
    memset(api, 0, sizeof *api);
}
