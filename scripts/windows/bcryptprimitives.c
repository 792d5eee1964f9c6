/* Rust's std on Windows imports ProcessPrng from bcryptprimitives.dll,
 * which Wine 8.0 (Debian bookworm's) does not provide. This shim provides it
 * on top of BCryptGenRandom, so that Windows builds of the test suite run
 * under Wine. Not shipped with the crate: scripts/windows-test.sh builds it
 * into the Wine prefix. */
#include <windows.h>
#include <bcrypt.h>
BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
    return BCryptGenRandom(NULL, data, (ULONG)len, BCRYPT_USE_SYSTEM_PREFERRED_RNG) >= 0;
}
