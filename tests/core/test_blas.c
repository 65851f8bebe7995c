/* test_blas: the CPU flags -> OpenBLAS kernel rule and the start-up decision
 * (blas.h) over canned /proc/cpuinfo flag lines of real CPUs. */
#include <stdio.h>
#include <string.h>

#include "lincls/blas.h"

#include "check.h"

/* Flag lines as /proc/cpuinfo prints them (trimmed to what matters, order kept). */
static const char *const ZEN4 = /* AMD EPYC 9004: AVX-512 with BF16 */
    "fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 ht "
    "syscall nx mmxext fxsr_opt pdpe1gb rdtscp lm rep_good nopl cpuid extd_apicid tsc_known_freq pni "
    "pclmulqdq ssse3 fma cx16 pcid sse4_1 sse4_2 x2apic movbe popcnt aes xsave avx f16c rdrand hypervisor "
    "lahf_lm cmp_legacy cr8_legacy abm sse4a misalignsse 3dnowprefetch osvw topoext perfctr_core "
    "fsgsbase bmi1 avx2 smep bmi2 erms invpcid avx512f avx512dq rdseed adx smap avx512ifma clflushopt "
    "clwb avx512cd sha_ni avx512bw avx512vl xsaveopt xsavec xgetbv1 xsaves avx_vnni avx512_bf16 clzero "
    "xsaveerptr wbnoinvd arat avx512vbmi umip pku ospke avx512_vbmi2 gfni vaes vpclmulqdq avx512_vnni "
    "avx512_bitalg avx512_vpopcntdq rdpid fsrm";
static const char *const SKYLAKE_SP = /* Xeon Gold 6148: AVX-512, no BF16 */
    "fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush dts acpi mmx fxsr sse "
    "sse2 ss ht tm pbe syscall nx pdpe1gb rdtscp lm constant_tsc pni pclmulqdq dtes64 monitor ds_cpl vmx "
    "smx est tm2 ssse3 sdbg fma cx16 xtpr pdcm pcid dca sse4_1 sse4_2 x2apic movbe popcnt aes xsave avx "
    "f16c rdrand lahf_lm abm 3dnowprefetch fsgsbase tsc_adjust bmi1 hle avx2 smep bmi2 erms invpcid rtm "
    "cqm mpx rdt_a avx512f avx512dq rdseed adx smap clflushopt clwb intel_pt avx512cd avx512bw avx512vl "
    "xsaveopt xsavec xgetbv1 xsaves";
static const char *const SAPPHIRE = /* Xeon 8480+: AVX-512 with BF16 and FP16 */
    "fpu sse sse2 pni ssse3 fma sse4_1 sse4_2 avx f16c avx2 avx512f avx512dq avx512ifma avx512cd avx512bw "
    "avx512vl avx512_bf16 avx512vbmi avx512_vbmi2 avx512_vnni avx512_fp16 amx_bf16 amx_tile amx_int8";
static const char *const HASWELL = /* Core i7-4770 */
    "fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush dts acpi mmx fxsr sse "
    "sse2 ss ht tm pbe syscall nx pdpe1gb rdtscp lm constant_tsc pni pclmulqdq ssse3 fma cx16 sse4_1 "
    "sse4_2 movbe popcnt aes xsave avx f16c rdrand lahf_lm abm fsgsbase bmi1 avx2 smep bmi2 erms invpcid";
static const char *const KNL = /* Xeon Phi 7250: AVX-512F/CD/ER/PF, no BW/VL/DQ */
    "fpu sse sse2 pni ssse3 fma sse4_1 sse4_2 avx f16c avx2 avx512f avx512pf avx512er avx512cd";
static const char *const SANDYBRIDGE = /* Core i7-2600: AVX, no AVX2, no FMA */
    "fpu vme de pse tsc msr sse sse2 ss ht pni pclmulqdq ssse3 cx16 sse4_1 sse4_2 x2apic popcnt aes xsave "
    "avx lahf_lm";
static const char *const BULLDOZER = /* AMD FX-8150: AVX and FMA4, no AVX2 */
    "fpu sse sse2 pni ssse3 cx16 sse4_1 sse4_2 popcnt aes xsave avx lahf_lm sse4a fma4 xop";
static const char *const CORE2 = /* Core 2 Duo E8400 */
    "fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush dts acpi mmx fxsr sse "
    "sse2 ss ht tm pbe syscall nx lm constant_tsc pni dtes64 monitor ds_cpl vmx smx est tm2 ssse3 cx16 "
    "xtpr pdcm sse4_1 xsave lahf_lm";
static const char *const ARM = ""; /* aarch64: /proc/cpuinfo has "Features", no "flags" */

static void check_str(const char *got, const char *want, const char *what) {
    int same = (got == NULL && want == NULL) || (got && want && strcmp(got, want) == 0);
    CHECK(same, "%s: got %s, want %s", what, got ? got : "NULL", want ? want : "NULL");
}

static void test_best(void) {
    check_str(lc_blas_best_coretype(ZEN4), "Cooperlake", "Zen 4");
    check_str(lc_blas_best_coretype(SAPPHIRE), "Cooperlake", "Sapphire Rapids");
    check_str(lc_blas_best_coretype(SKYLAKE_SP), "SkylakeX", "Skylake-SP");
    check_str(lc_blas_best_coretype(KNL), "Haswell", "Knights Landing (no avx512bw/vl/dq)");
    check_str(lc_blas_best_coretype(HASWELL), "Haswell", "Haswell");
    check_str(lc_blas_best_coretype(SANDYBRIDGE), "SandyBridge", "Sandy Bridge");
    check_str(lc_blas_best_coretype(BULLDOZER), "SandyBridge", "Bulldozer (fma4 is not fma)");
    check_str(lc_blas_best_coretype(CORE2), "Prescott", "Core 2");
    check_str(lc_blas_best_coretype(ARM), NULL, "no x86 flags");
    check_str(lc_blas_best_coretype(NULL), NULL, "NULL flags");
    /* whole words only: avx512fp16 is not avx512f, avx2 is not avx, fma4 is not fma */
    check_str(lc_blas_best_coretype("sse2 pni avx512fp16 avx512bw avx512vl avx512dq"), "Prescott", "avx512fp16");
    check_str(lc_blas_best_coretype("sse2 pni avx2 fma4"), "Prescott", "avx2 without avx, fma4");
    check_str(lc_blas_best_coretype("sse2 pni avx avx2 fma avx512f avx512bw avx512vl avx512dq avx512_bf16x"),
              "SkylakeX", "avx512_bf16x");
    check_str(lc_blas_best_coretype("sse2 avx"), NULL, "no SSE3 (pni): leave it to OpenBLAS");
    check_str(lc_blas_best_coretype("\tsse2 pni avx\t"), "SandyBridge", "tabs around words");
}

static void test_levels(void) {
    CHECK(lc_blas_core_level("Prescott") == 1, "Prescott %d", lc_blas_core_level("Prescott"));
    CHECK(lc_blas_core_level("prescott") == 1, "case-insensitive");
    CHECK(lc_blas_core_level("Sandybridge") == 2, "Sandybridge (OpenBLAS's spelling)");
    CHECK(lc_blas_core_level("Haswell") == 3 && lc_blas_core_level("Zen") == 3, "Haswell, Zen");
    CHECK(lc_blas_core_level("SkylakeX") == 4, "SkylakeX");
    CHECK(lc_blas_core_level("Cooperlake") == 5, "Cooperlake");
    CHECK(lc_blas_core_level("Opteron") == 0, "Opteron (SSE2 only)");
    CHECK(lc_blas_core_level("Neoversen1") == -1 && lc_blas_core_level(NULL) == -1, "unknown");
    /* every rule result has a level, and the levels rise with the rule */
    const char *rule[] = {"Prescott", "SandyBridge", "Haswell", "SkylakeX", "Cooperlake"};
    for (int i = 0; i < 5; i++) CHECK(lc_blas_core_level(rule[i]) == i + 1, "%s", rule[i]);
}

static void test_choose(void) {
    /* nothing set: upgrade a weaker kernel, never touch an equal or unknown one */
    check_str(lc_blas_choose(SKYLAKE_SP, "Prescott", NULL, NULL), "SkylakeX", "unknown Xeon, Prescott fallback");
    check_str(lc_blas_choose(ZEN4, "Haswell", NULL, NULL), "Cooperlake", "Haswell on a BF16 CPU");
    check_str(lc_blas_choose(ZEN4, "Cooperlake", NULL, NULL), NULL, "already the best");
    check_str(lc_blas_choose(HASWELL, "Zen", NULL, NULL), NULL, "Zen is Haswell class");
    check_str(lc_blas_choose(HASWELL, "SkylakeX", NULL, NULL), NULL, "OpenBLAS's own pick above the rule");
    check_str(lc_blas_choose(HASWELL, "Neoversen1", NULL, NULL), NULL, "unknown loaded core");
    check_str(lc_blas_choose(ARM, "armv8", NULL, NULL), NULL, "not x86");
    check_str(lc_blas_choose(SANDYBRIDGE, "Prescott", "", NULL), "SandyBridge", "empty OPENBLAS_CORETYPE = unset");
    /* the user's choice stays, even a slow one */
    check_str(lc_blas_choose(ZEN4, "Prescott", "Prescott", NULL), NULL, "user chose Prescott");
    check_str(lc_blas_choose(ZEN4, "Haswell", "Haswell", "SkylakeX"), NULL, "mark for another value: user's");
    /* set by lincls (mark == value, any case): decided again on this CPU */
    check_str(lc_blas_choose(ZEN4, "Prescott", "Prescott", "Prescott"), "Cooperlake", "auto value too weak");
    check_str(lc_blas_choose(HASWELL, "Cooperlake", "Cooperlake", "cooperlake"), "Haswell",
              "auto value from a bigger machine: down to what this CPU runs");
    check_str(lc_blas_choose(HASWELL, "Haswell", "Haswell", "Haswell"), NULL, "auto value right: no loop");
    check_str(lc_blas_choose(SKYLAKE_SP, "Haswell", "SkylakeX", "SkylakeX"), NULL,
              "auto value right but not honoured (no DYNAMIC_ARCH): no loop");
}

int main(void) {
    test_best();
    test_levels();
    test_choose();
    char flags[16384];
    lc_blas_cpu_flags(flags, sizeof flags);
    const char *best = lc_blas_best_coretype(flags);
    char d[1024];
    printf("this CPU: %s; %s\n", best ? best : "(no rule)", lc_blas_describe(d, sizeof d));
    if (failures) fprintf(stderr, "%d check(s) failed\n", failures);
    else printf("PASS\n");
    return failures != 0;
}
