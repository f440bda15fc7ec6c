/* The event log API (wevtapi.dll), loaded at run time from the system
 * directory only: never from ohc.exe's folder or the current directory, so
 * nobody can plant a wevtapi.dll beside ohc.exe. One loader for the events
 * probe and the service's Event 27 subscription. A PC without it, or Wine
 * (whose wevtapi is a stub), gets OHC_EUNAVAILABLE and the callers go on. */
#ifndef OHC_WEVTAPI_LOADER_H
#define OHC_WEVTAPI_LOADER_H

#include <windows.h>
#include <winevt.h>

#include "error.h"

typedef EVT_HANDLE(WINAPI *ohc_evt_query_fn)(EVT_HANDLE, LPCWSTR, LPCWSTR, DWORD);
typedef BOOL(WINAPI *ohc_evt_next_fn)(EVT_HANDLE, DWORD, EVT_HANDLE *, DWORD, DWORD, PDWORD);
typedef BOOL(WINAPI *ohc_evt_close_fn)(EVT_HANDLE);
typedef EVT_HANDLE(WINAPI *ohc_evt_create_render_context_fn)(DWORD, LPCWSTR *, DWORD);
typedef BOOL(WINAPI *ohc_evt_render_fn)(EVT_HANDLE, EVT_HANDLE, DWORD, DWORD, PVOID, PDWORD, PDWORD);
typedef EVT_HANDLE(WINAPI *ohc_evt_open_publisher_metadata_fn)(EVT_HANDLE, LPCWSTR, LPCWSTR, LCID, DWORD);
typedef BOOL(WINAPI *ohc_evt_format_message_fn)(EVT_HANDLE, EVT_HANDLE, DWORD, DWORD, PEVT_VARIANT, DWORD, DWORD,
                                                LPWSTR, PDWORD);
typedef EVT_HANDLE(WINAPI *ohc_evt_open_channel_config_fn)(EVT_HANDLE, LPCWSTR, DWORD);
typedef BOOL(WINAPI *ohc_evt_get_channel_config_property_fn)(EVT_HANDLE, EVT_CHANNEL_CONFIG_PROPERTY_ID, DWORD, DWORD,
                                                             PEVT_VARIANT, PDWORD);
typedef EVT_HANDLE(WINAPI *ohc_evt_subscribe_fn)(EVT_HANDLE, HANDLE, LPCWSTR, LPCWSTR, EVT_HANDLE, PVOID,
                                                 EVT_SUBSCRIBE_CALLBACK, DWORD);

typedef struct ohc_wevtapi {
    HMODULE dll;
    ohc_evt_query_fn query; /* query, next, close, create_render_context, render: always there */
    ohc_evt_next_fn next;
    ohc_evt_close_fn close;
    ohc_evt_create_render_context_fn create_render_context;
    ohc_evt_render_fn render;
    ohc_evt_open_publisher_metadata_fn open_publisher_metadata; /* optional (both or neither): no message */
    ohc_evt_format_message_fn format_message;
    ohc_evt_open_channel_config_fn open_channel_config; /* optional (both or neither): no "disabled" */
    ohc_evt_get_channel_config_property_fn get_channel_config_property;
    ohc_evt_subscribe_fn subscribe; /* optional */
} ohc_wevtapi;

/* Loads %SystemRoot%\System32\wevtapi.dll by its full path (so no search
 * order applies) and its entry points into *out. OHC_EUNAVAILABLE when it
 * cannot be loaded or lacks the required ones (*out is then empty). */
int ohc_wevtapi_load(ohc_wevtapi *out, ohc_error *err);

/* NULL or an empty api is fine. */
void ohc_wevtapi_unload(ohc_wevtapi *api);

#endif
