/* render_report FILE.json text|html: prints a saved report through the same
 * renderers `ohc collect` uses. For the HTML/text tests, which feed it
 * hand-made reports (findings with hostile values) that no probe produces. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "os.h"
#include "report.h"

int main(int argc, char **argv)
{
    if (argc != 3 || (strcmp(argv[2], "text") != 0 && strcmp(argv[2], "html") != 0 && strcmp(argv[2], "color") != 0)) {
        fprintf(stderr, "usage: render_report FILE.json text|color|html\n");
        return 64;
    }
    char *data = NULL;
    size_t len = 0;
    ohc_error err;
    ohc_error_clear(&err);
    if (ohc_os_read_file(&data, &len, argv[1], 64u << 20, &err) != OHC_OK) {
        fprintf(stderr, "render_report: %s\n", err.message);
        return 3;
    }
    cJSON *r = cJSON_ParseWithLength(data, len);
    free(data);
    if (r == NULL) {
        fprintf(stderr, "render_report: %s is not JSON\n", argv[1]);
        return 3;
    }
    char *out = !strcmp(argv[2], "html") ? ohc_report_to_html(r) : ohc_report_to_text(r, !strcmp(argv[2], "color"));
    cJSON_Delete(r);
    if (out == NULL)
        return 3;
    fputs(out, stdout);
    free(out);
    return 0;
}
