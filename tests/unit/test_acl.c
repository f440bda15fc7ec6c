/* Who may change a service's program (collector/facts/acl.c): the rule that
 * `ohc service install` applies, on the descriptors Windows gives Program
 * Files, Downloads and a folder a user created first. Wine keeps no file
 * ACLs, so this is where the refusal is shown. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "acl.h"

#define SYSTEM "S-1-5-18"
#define ADMINS "S-1-5-32-544"
#define USERS "S-1-5-32-545"
#define AUTH_USERS "S-1-5-11"
#define TRUSTED_INSTALLER "S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464"
#define CREATOR_OWNER "S-1-3-0"
#define ALICE "S-1-5-21-1-2-3-1001"
#define ADMIN_USER "S-1-5-21-1-2-3-500"

static void test_program_files_is_safe(void **state)
{
    (void)state;
    /* C:\Program Files\...: TrustedInstaller owns, Users read and execute */
    const ohc_ace aces[] = {
        {OHC_ACE_ALLOW, 0, 0x001F01FF, TRUSTED_INSTALLER},
        {OHC_ACE_ALLOW, 0, 0x001301BF, SYSTEM},
        {OHC_ACE_ALLOW, 0, 0x001301BF, ADMINS},
        {OHC_ACE_ALLOW, 0, 0x001200A9, USERS},
        {OHC_ACE_ALLOW, OHC_ACE_INHERIT_ONLY, 0x10000000, CREATOR_OWNER},
    };
    char why[256] = "";
    assert_int_equal(ohc_acl_user_writable(why, sizeof why, TRUSTED_INSTALLER, 1, aces, 5, NULL), 0);
    /* copied there by the elevated administrator, who then owns it */
    assert_int_equal(ohc_acl_user_writable(why, sizeof why, ADMIN_USER, 1, aces, 5, ADMIN_USER), 0);
}

static void test_user_writable_is_refused(void **state)
{
    (void)state;
    char why[256] = "";
    /* Downloads: the user owns it and has full control */
    const ohc_ace downloads[] = {{OHC_ACE_ALLOW, 0, 0x001F01FF, SYSTEM}, {OHC_ACE_ALLOW, 0, 0x001F01FF, ALICE}};
    assert_int_equal(ohc_acl_user_writable(why, sizeof why, ALICE, 1, downloads, 2, NULL), 1);
    assert_non_null(strstr(why, "owned by " ALICE));
    /* owned by Administrators, but Authenticated Users may modify (C:\Tools made by hand) */
    const ohc_ace tools[] = {{OHC_ACE_ALLOW, 0, 0x001F01FF, ADMINS}, {OHC_ACE_ALLOW, 0, 0x001301BF, AUTH_USERS}};
    assert_int_equal(ohc_acl_user_writable(why, sizeof why, ADMINS, 1, tools, 2, NULL), 1);
    assert_non_null(strstr(why, AUTH_USERS));
    /* Users may only add files (FILE_ADD_FILE) to the folder: enough to plant a DLL */
    const ohc_ace add_only[] = {{OHC_ACE_ALLOW, 0, 0x00000002, USERS}};
    assert_int_equal(ohc_acl_user_writable(why, sizeof why, SYSTEM, 1, add_only, 1, NULL), 1);
    /* no DACL at all: everyone may */
    assert_int_equal(ohc_acl_user_writable(why, sizeof why, SYSTEM, 0, NULL, 0, NULL), 1);
    assert_non_null(strstr(why, "no DACL"));
}

static void test_what_does_not_count(void **state)
{
    (void)state;
    char why[256] = "";
    /* inherit-only and CREATOR OWNER entries shape children; deny entries grant nothing */
    const ohc_ace aces[] = {
        {OHC_ACE_ALLOW, OHC_ACE_INHERIT_ONLY, 0x001F01FF, USERS},
        {OHC_ACE_ALLOW, 0, 0x001F01FF, CREATOR_OWNER},
        {OHC_ACE_DENY, 0, 0x001F01FF, USERS},
        {OHC_ACE_ALLOW, 0, 0x001200A9, USERS}, /* read and execute */
        {7, 0, 0x001F01FF, USERS}, /* an object ACE: not ours to judge */
    };
    assert_int_equal(ohc_acl_user_writable(why, sizeof why, SYSTEM, 1, aces, 5, NULL), 0);
    assert_true(ohc_acl_trusted_sid(TRUSTED_INSTALLER));
    assert_false(ohc_acl_trusted_sid(USERS));
    assert_false(ohc_acl_trusted_sid(NULL));
}

static void test_state_dir_action(void **state)
{
    (void)state;
    char why[256];
    /* a junction (or a file) where the folder should be: never followed */
    assert_int_equal(ohc_acl_state_dir_action(why, sizeof why, 1, SYSTEM, NULL), OHC_STATE_DIR_MOVE_ASIDE);
    assert_non_null(strstr(why, "link"));
    /* made first by a standard user: owner = the user */
    assert_int_equal(ohc_acl_state_dir_action(why, sizeof why, 0, ALICE, NULL), OHC_STATE_DIR_MOVE_ASIDE);
    assert_non_null(strstr(why, ALICE));
    assert_int_equal(ohc_acl_state_dir_action(why, sizeof why, 0, NULL, NULL), OHC_STATE_DIR_MOVE_ASIDE);
    /* ours (an upgrade), or the installing administrator's: kept, its DACL set again */
    assert_int_equal(ohc_acl_state_dir_action(why, sizeof why, 0, SYSTEM, NULL), OHC_STATE_DIR_SECURE);
    assert_int_equal(ohc_acl_state_dir_action(why, sizeof why, 0, ADMINS, NULL), OHC_STATE_DIR_SECURE);
    assert_int_equal(ohc_acl_state_dir_action(why, sizeof why, 0, ADMIN_USER, ADMIN_USER), OHC_STATE_DIR_SECURE);
    assert_string_equal(why, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_program_files_is_safe),
        cmocka_unit_test(test_user_writable_is_refused),
        cmocka_unit_test(test_what_does_not_count),
        cmocka_unit_test(test_state_dir_action),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
