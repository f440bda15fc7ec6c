/* Who may change a file or folder, judged from its security descriptor in
 * plain data (the OS half, win32/service/service_state.c, reads it): the
 * rule that a LocalSystem service's program must be changeable by SYSTEM,
 * Administrators and TrustedInstaller only. Portable, so native tests reach it. */
#ifndef OHC_ACL_H
#define OHC_ACL_H

#include <stddef.h>
#include <stdint.h>

/* ACE types and flags as Windows numbers them (winnt.h). */
enum { OHC_ACE_ALLOW = 0, OHC_ACE_DENY = 1 };
enum { OHC_ACE_INHERIT_ONLY = 0x08 };

/* Rights that let their holder change a file or what a folder holds:
 * FILE_WRITE_DATA/ADD_FILE, FILE_APPEND_DATA/ADD_SUBDIRECTORY, FILE_WRITE_EA,
 * FILE_DELETE_CHILD, FILE_WRITE_ATTRIBUTES, DELETE, WRITE_DAC, WRITE_OWNER,
 * GENERIC_ALL, GENERIC_WRITE. */
#define OHC_ACL_CHANGE_RIGHTS 0x500D0156u

typedef struct ohc_ace {
    uint8_t type; /* OHC_ACE_ALLOW, OHC_ACE_DENY, others ignored */
    uint8_t flags; /* OHC_ACE_INHERIT_ONLY: shapes children only */
    uint32_t mask;
    const char *sid; /* "S-1-5-32-545"; borrowed */
} ohc_ace;

/* Non-zero for SYSTEM, Administrators and TrustedInstaller. */
int ohc_acl_trusted_sid(const char *sid);

/* 1 when someone else may change the object: an untrusted owner (an owner
 * may always rewrite the DACL), no DACL at all (have_dacl 0: everyone may),
 * or an allow ACE granting a change right to an untrusted SID (CREATOR
 * OWNER and inherit-only ACEs shape children only). self_sid (may be NULL)
 * counts as trusted: the elevated administrator running the check. why (one
 * line) says who and how. 0 otherwise. */
int ohc_acl_user_writable(char *why, size_t why_size, const char *owner_sid, int have_dacl, const ohc_ace *aces,
                          size_t count, const char *self_sid);

/* What the service does with a state folder it finds already there
 * (%ProgramData% lets any user create folders, and the creator owns it):
 * keep it and set its DACL on the open handle, or, when it is a link
 * (reparse point) or not a folder, or someone else owns it (an owner may
 * always grant themselves access again), move it aside and make a new one.
 * why says the reason for a move. */
typedef enum ohc_state_dir_action { OHC_STATE_DIR_SECURE = 0, OHC_STATE_DIR_MOVE_ASIDE } ohc_state_dir_action;

ohc_state_dir_action ohc_acl_state_dir_action(char *why, size_t why_size, int is_link_or_file, const char *owner_sid,
                                              const char *self_sid);

#endif
