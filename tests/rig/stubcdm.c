/* A CDM-shaped shared library: the entry points a Chromium host looks up, no DRM.
 * Built by the tests with gcc so that loading it in a child is a real dlopen.
 * With -DREPORT_UID its version names the user that loaded it. */
#include <stdio.h>
#include <unistd.h>

#ifndef STUB_VERSION
#define STUB_VERSION "4.10.2830.0-stub"
#endif

const char *GetCdmVersion(void)
{
#ifdef REPORT_UID
    static char text[64];
    snprintf(text, sizeof text, "%s uid=%d", STUB_VERSION, (int)getuid());
    return text;
#else
    return STUB_VERSION;
#endif
}
void InitializeCdmModule_4(void) {}
void DeinitializeCdmModule(void) {}
void *CreateCdmInstance(int interface_version, const char *key_system, unsigned key_system_size,
                        void *(*get_host)(int, void *), void *user_data)
{
    (void)interface_version; (void)key_system; (void)key_system_size; (void)get_host;
    (void)user_data;
    return 0;
}
