/* The host probe on Linux: enough for the native CLI's reports (evaluate,
 * collect --evtx) to say where they were made. */
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "host.h"
#include "probes_posix.h"

/* Truncating copy: host names and release strings are cut to the fields' size. */
static void copy(char *dst, size_t size, const char *src)
{
    size_t n = src != NULL ? strnlen(src, size - 1) : 0;
    if (n > 0)
        memcpy(dst, src, n);
    dst[n] = '\0';
}

void ohc_posix_probe_host(ohc_probe_output *out, const ohc_probe_context *ctx)
{
    (void)ctx;
    ohc_host_info info;
    ohc_host_info_init(&info);
    copy(info.os_family, sizeof info.os_family, "linux");

    struct utsname u;
    if (uname(&u) == 0) {
        copy(info.computer_name, sizeof info.computer_name, u.nodename);
        snprintf(info.os_product_name, sizeof info.os_product_name, "%s %s", u.sysname, u.release);
        copy(info.architecture, sizeof info.architecture, strcmp(u.machine, "x86_64") == 0 ? "x64" : u.machine);
        int maj = 0, min = 0, patch = 0;
        if (sscanf(u.release, "%d.%d.%d", &maj, &min, &patch) == 3) {
            info.os_major = maj;
            info.os_minor = min;
            info.os_build = patch;
        }
    }
    FILE *f = fopen("/etc/os-release", "r");
    if (f != NULL) {
        char line[512];
        while (fgets(line, sizeof line, f)) {
            if (strncmp(line, "PRETTY_NAME=", 12) == 0) {
                char *v = line + 12;
                v[strcspn(v, "\r\n")] = '\0';
                if (*v == '"') {
                    v++;
                    char *q = strrchr(v, '"');
                    if (q)
                        *q = '\0';
                }
                copy(info.os_product_name, sizeof info.os_product_name, v);
            }
        }
        fclose(f);
    }

    uid_t uid = geteuid();
    struct passwd pw, *res = NULL;
    char buf[1024];
    if (getpwuid_r(uid, &pw, buf, sizeof buf, &res) == 0 && res != NULL)
        copy(info.account, sizeof info.account, pw.pw_name);
    info.elevated = uid == 0;
    copy(info.run_mode, sizeof info.run_mode, isatty(0) ? "interactive" : "non-interactive");

    tzset();
    time_t now = time(NULL);
    struct tm lt;
    if (localtime_r(&now, &lt) != NULL) {
        info.utc_offset_minutes = lt.tm_gmtoff / 60;
        copy(info.time_zone, sizeof info.time_zone, lt.tm_zone);
    }

    ohc_probe_take_facts(out, ohc_host_info_to_json(&info));
}
