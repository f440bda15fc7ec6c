/* Storage for the BITS GUIDs: mingw's bits.h declares CLSID_BackgroundCopyManager
 * and IID_IBackgroundCopyManager but its libuuid does not define them, so this
 * file does (initguid.h turns bits.h's DEFINE_GUIDs into definitions). The
 * probe and tests/win32/bitsjob.c both link it. */
#include <initguid.h>
#include <bits.h>
