#include "acl.h"

#include <stdio.h>
#include <string.h>

#define SID_SYSTEM "S-1-5-18"
#define SID_ADMINISTRATORS "S-1-5-32-544"
#define SID_TRUSTED_INSTALLER "S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464"
#define SID_CREATOR_OWNER "S-1-3-0"

int ohc_acl_trusted_sid(const char *sid)
{
    return sid != NULL &&
           (!strcmp(sid, SID_SYSTEM) || !strcmp(sid, SID_ADMINISTRATORS) || !strcmp(sid, SID_TRUSTED_INSTALLER));
}

static int trusted(const char *sid, const char *self_sid)
{
    return ohc_acl_trusted_sid(sid) || (self_sid != NULL && sid != NULL && !strcmp(sid, self_sid));
}

int ohc_acl_user_writable(char *why, size_t why_size, const char *owner_sid, int have_dacl, const ohc_ace *aces,
                          size_t count, const char *self_sid)
{
    if (owner_sid != NULL && !trusted(owner_sid, self_sid)) {
        snprintf(why, why_size, "it is owned by %s, who may change its permissions", owner_sid);
        return 1;
    }
    if (!have_dacl) {
        snprintf(why, why_size, "it has no DACL: everyone may change it");
        return 1;
    }
    for (size_t i = 0; i < count; i++) {
        const ohc_ace *a = &aces[i];
        if (a->type != OHC_ACE_ALLOW || (a->flags & OHC_ACE_INHERIT_ONLY) || (a->mask & OHC_ACL_CHANGE_RIGHTS) == 0 ||
            a->sid == NULL || trusted(a->sid, self_sid) || !strcmp(a->sid, SID_CREATOR_OWNER))
            continue;
        snprintf(why, why_size, "%s may change it (access mask 0x%08lX)", a->sid, (unsigned long)a->mask);
        return 1;
    }
    return 0;
}

ohc_state_dir_action ohc_acl_state_dir_action(char *why, size_t why_size, int is_link_or_file, const char *owner_sid,
                                              const char *self_sid)
{
    if (is_link_or_file) {
        snprintf(why, why_size, "it is a link or not a folder: following it would let SYSTEM write elsewhere");
        return OHC_STATE_DIR_MOVE_ASIDE;
    }
    if (owner_sid == NULL || !trusted(owner_sid, self_sid)) {
        snprintf(why, why_size, "it is owned by %s, who could grant themselves access again",
                 owner_sid ? owner_sid : "an unknown account");
        return OHC_STATE_DIR_MOVE_ASIDE;
    }
    if (why_size > 0)
        why[0] = '\0';
    return OHC_STATE_DIR_SECURE;
}
