/* Levels of the messages ohc writes for people (the service log, the CLI's
 * stderr), ordered so that a threshold compares with <=. */
#ifndef OHC_LOG_H
#define OHC_LOG_H

typedef enum ohc_log_level { OHC_LOG_ERROR = 0, OHC_LOG_WARNING, OHC_LOG_INFO, OHC_LOG_DEBUG } ohc_log_level;

/* Level from its name ("error", "warning", "info", "debug", any case); info when unknown or NULL. */
ohc_log_level ohc_log_level_from_name(const char *name);

#endif
