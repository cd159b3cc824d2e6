/*
 * A fake libnvidia-ml.so.1 for the JNA tests and the benchmark: the NVML functions the exporter binds, with
 * NVIDIA's exported names, signatures and x86_64 struct layouts, and behaviour the tests program.
 *
 * Programming it:
 *   - in process: fake_nvml_control("key=value\nkey=value...") (tests call it through JNA), or
 *   - out of process: FAKE_NVML_CONTROL=/path/to/file, re-applied in full whenever the file changes (so use
 *     now_us rather than advance_us there; add "reset" first to start from the defaults).
 * Keys (applied in order; "reset" first restores the defaults):
 *   reset                      everything back to defaults: 0 devices, real clock, init ok
 *   init_rc=N                  what nvmlInit_v2 returns (9 DRIVER_NOT_LOADED, 4 NO_PERMISSION, ...)
 *   devices=N                  device count (max 64); new devices start with a full sample buffer
 *   clock=real|sim             sample timestamps from CLOCK_REALTIME (default) or from now_us
 *   now_us=T / advance_us=D    set / advance the simulated clock (µs since the epoch); implies clock=sim
 *   period_us=P                utilization sample period of devices created afterwards (default 166667)
 *   buffer=N                   samples kept per device (default 120, max 1024)
 *   gpu.I.name / gpu.I.uuid    identity (defaults "NVIDIA H100 80GB HBM3" / "GPU-00000000-...-<I>")
 *   gpu.I.period_us=P          this device's sample period
 *   gpu.I.duty=25 | 100,0,0,0  busy percent of each sample period; a list cycles by sample number
 *   gpu.I.value_type=T         nvmlValueType_t of samples: 0 double, 1 uint (default), 3 ull
 *   gpu.I.samples_rc=N         nvmlDeviceGetSamples result (3 NOT_SUPPORTED forces the fallback)
 *   gpu.I.util_rc=N            nvmlDeviceGetUtilizationRates result (and on MIG: 3 by default)
 *   gpu.I.mig=0|1              current MIG mode
 *   gpu.I.power_mw=W           power; the energy counter grows by power x time
 *   gpu.I.energy_mj=E          set the energy counter (0 = a reset, as after a driver reload)
 *   gpu.I.energy_rc=N / gpu.I.power_rc=N
 *   gpu.I.mem_total=B / gpu.I.mem_used=B
 *   gpu.I.lost=0|1             every call on the device returns GPU_IS_LOST (15)
 *   gpu.I.pids=1,2,3           running compute processes
 *   driver=STR                 driver version
 * Build: gcc -shared -fPIC -O2 -o libnvidia-ml.so.1 fake_nvml.c   (-DOMIT_SAMPLES drops nvmlDeviceGetSamples,
 *        -DOMIT_PROCESSES drops nvmlDeviceGetComputeRunningProcesses_v3)
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>

typedef int nvmlReturn_t;
typedef struct { unsigned int gpu; unsigned int memory; } nvmlUtilization_t;
typedef struct { unsigned long long total, free, used; } nvmlMemory_t;
typedef union { double dVal; int siVal; unsigned int uiVal; unsigned long ulVal;
                unsigned long long ullVal; signed long long sllVal; unsigned short usVal; } nvmlValue_t;
typedef struct { unsigned long long timeStamp; nvmlValue_t sampleValue; } nvmlSample_t;
typedef struct { unsigned int pid; unsigned long long usedGpuMemory;
                 unsigned int gpuInstanceId; unsigned int computeInstanceId; } nvmlProcessInfo_t;

_Static_assert(sizeof(nvmlSample_t) == 16, "nvmlSample_t");
_Static_assert(sizeof(nvmlMemory_t) == 24, "nvmlMemory_t");
_Static_assert(sizeof(nvmlProcessInfo_t) == 24, "nvmlProcessInfo_t");

#define MAX_DEV 64
#define MAX_BUF 1024
#define MAX_DUTY 32
#define MAX_PIDS 16

typedef struct nvmlDevice_st {
  int index;
  char name[96], uuid[96];
  unsigned long long period_us;
  unsigned int duty[MAX_DUTY]; int nduty;
  int value_type;
  int samples_rc, util_rc, energy_rc, power_rc;
  int mig, lost;
  unsigned int power_mw;
  double energy_mj;
  unsigned long long mem_total, mem_used;
  unsigned int pids[MAX_PIDS]; int npids;
  /* ring of samples, oldest first from head */
  unsigned long long ts[MAX_BUF]; unsigned int val[MAX_BUF]; int head, count;
  long long last_k;               /* sample number (ts / period) of the newest generated sample */
  unsigned long long energy_at_us;
} dev_t_;

static dev_t_ devs[MAX_DEV];
static int ndev, init_rc, refcount, sim_clock, buffer_cap = 120;
static unsigned long long sim_now_us, default_period_us = 166667;
static char driver[80] = "550.54.15";
static char control_path[4096]; static int control_checked; static struct timespec control_mtime; static off_t control_size;

static unsigned long long now_us(void) {
  if (sim_clock) return sim_now_us;
  struct timespec t; clock_gettime(CLOCK_REALTIME, &t);
  return (unsigned long long)t.tv_sec * 1000000ULL + (unsigned long long)t.tv_nsec / 1000ULL;
}

static void push_sample(dev_t_ *d, unsigned long long ts, unsigned int v) {
  int cap = buffer_cap;
  if (d->count == cap) { d->head = (d->head + 1) % cap; d->count--; }
  int pos = (d->head + d->count) % cap;
  d->ts[pos] = ts; d->val[pos] = v; d->count++;
}

/* Brings a device's samples and energy up to the clock's now. */
static void advance(dev_t_ *d) {
  if (d->period_us == 0) d->period_us = 1;
  unsigned long long now = now_us();
  long long k_now = (long long)(now / d->period_us);
  long long k = d->last_k + 1;
  if (k_now - k >= buffer_cap) k = k_now - buffer_cap + 1;
  for (; k <= k_now; k++) push_sample(d, (unsigned long long)k * d->period_us, d->duty[k % d->nduty]);
  if (k_now > d->last_k) d->last_k = k_now;
  if (now > d->energy_at_us) {
    d->energy_mj += (double)d->power_mw * (double)(now - d->energy_at_us) / 1e6;
    d->energy_at_us = now;
  }
}

static void advance_all(void) { for (int i = 0; i < ndev; i++) advance(&devs[i]); }

static void init_device(int i) {
  dev_t_ *d = &devs[i];
  memset(d, 0, sizeof *d);
  d->index = i;
  snprintf(d->name, sizeof d->name, "NVIDIA H100 80GB HBM3");
  snprintf(d->uuid, sizeof d->uuid, "GPU-00000000-0000-0000-0000-%012d", i);
  d->period_us = default_period_us;
  d->duty[0] = 0; d->nduty = 1;
  d->value_type = 1;
  d->power_mw = 100000;
  d->energy_mj = 1000000.0;
  d->mem_total = 85899345920ULL; d->mem_used = 1073741824ULL;
  unsigned long long now = now_us();
  d->last_k = (long long)(now / d->period_us) - buffer_cap;  /* the buffer starts full, as on a running driver */
  d->energy_at_us = now;
  d->head = 0; d->count = 0;
  advance(d);
}

static void reset_all(void) {
  ndev = 0; init_rc = 0; sim_clock = 0; sim_now_us = 0; buffer_cap = 120; default_period_us = 166667;
  snprintf(driver, sizeof driver, "550.54.15");
}

static void parse_list(const char *v, unsigned int *out, int max, int *n) {
  *n = 0;
  while (*v && *n < max) {
    char *end; unsigned long x = strtoul(v, &end, 10);
    if (end == v) break;
    out[(*n)++] = (unsigned int)x;
    v = end; while (*v == ',' || *v == ' ') v++;
  }
}

static void apply_line(char *line) {
  char *eq = strchr(line, '=');
  char *key = line, *val = eq ? eq + 1 : "";
  if (eq) *eq = 0;
  if (!strcmp(key, "reset")) { reset_all(); return; }
  if (!strcmp(key, "init_rc")) { init_rc = atoi(val); return; }
  if (!strcmp(key, "driver")) { snprintf(driver, sizeof driver, "%s", val); return; }
  if (!strcmp(key, "buffer")) { int b = atoi(val); buffer_cap = b < 1 ? 1 : b > MAX_BUF ? MAX_BUF : b; return; }
  if (!strcmp(key, "period_us")) { default_period_us = strtoull(val, 0, 10); if (!default_period_us) default_period_us = 1; return; }
  if (!strcmp(key, "clock")) { advance_all(); if (!strcmp(val, "sim")) { sim_now_us = now_us(); sim_clock = 1; } else sim_clock = 0; return; }
  if (!strcmp(key, "now_us") || !strcmp(key, "advance_us")) {
    unsigned long long t = strtoull(val, 0, 10);
    if (!sim_clock) { sim_now_us = now_us(); sim_clock = 1; }
    sim_now_us = key[0] == 'n' ? t : sim_now_us + t;
    advance_all();
    return;
  }
  if (!strcmp(key, "devices")) {
    int n = atoi(val); if (n < 0) n = 0; if (n > MAX_DEV) n = MAX_DEV;
    for (int i = ndev; i < n; i++) init_device(i);
    ndev = n; return;
  }
  if (!strncmp(key, "gpu.", 4)) {
    char *dot; long i = strtol(key + 4, &dot, 10);
    if (*dot != '.' || i < 0 || i >= ndev) return;
    dev_t_ *d = &devs[i]; const char *f = dot + 1;
    advance(d);  /* what happened so far happened under the old settings */
    if (!strcmp(f, "name")) snprintf(d->name, sizeof d->name, "%s", val);
    else if (!strcmp(f, "uuid")) snprintf(d->uuid, sizeof d->uuid, "%s", val);
    else if (!strcmp(f, "period_us")) { d->period_us = strtoull(val, 0, 10); if (!d->period_us) d->period_us = 1; d->last_k = (long long)(now_us() / d->period_us); }
    else if (!strcmp(f, "duty")) parse_list(val, d->duty, MAX_DUTY, &d->nduty), d->nduty = d->nduty ? d->nduty : 1;
    else if (!strcmp(f, "value_type")) d->value_type = atoi(val);
    else if (!strcmp(f, "samples_rc")) d->samples_rc = atoi(val);
    else if (!strcmp(f, "util_rc")) d->util_rc = atoi(val);
    else if (!strcmp(f, "energy_rc")) d->energy_rc = atoi(val);
    else if (!strcmp(f, "power_rc")) d->power_rc = atoi(val);
    else if (!strcmp(f, "mig")) d->mig = atoi(val);
    else if (!strcmp(f, "lost")) d->lost = atoi(val);
    else if (!strcmp(f, "power_mw")) d->power_mw = (unsigned int)strtoul(val, 0, 10);
    else if (!strcmp(f, "energy_mj")) d->energy_mj = strtod(val, 0);
    else if (!strcmp(f, "mem_total")) d->mem_total = strtoull(val, 0, 10);
    else if (!strcmp(f, "mem_used")) d->mem_used = strtoull(val, 0, 10);
    else if (!strcmp(f, "pids")) parse_list(val, d->pids, MAX_PIDS, &d->npids);
  }
}

/* Exported for the tests: applies newline- or semicolon-separated key=value settings. */
int fake_nvml_control(const char *text) {
  char *copy = strdup(text ? text : ""), *save = 0;
  for (char *line = strtok_r(copy, "\n;", &save); line; line = strtok_r(0, "\n;", &save)) {
    while (*line == ' ' || *line == '\t') line++;
    if (*line && *line != '#') apply_line(line);
  }
  free(copy);
  return 0;
}

/* FAKE_NVML_CONTROL=file: re-applied whenever the file changes (for a whole exporter in a child process). */
static void maybe_reload(void) {
  if (!control_checked) {
    control_checked = 1;
    const char *p = getenv("FAKE_NVML_CONTROL");
    if (p) snprintf(control_path, sizeof control_path, "%s", p);
  }
  if (!control_path[0]) return;
  struct stat st;
  if (stat(control_path, &st) != 0) return;
  if (st.st_mtim.tv_sec == control_mtime.tv_sec && st.st_mtim.tv_nsec == control_mtime.tv_nsec && st.st_size == control_size) return;
  control_mtime = st.st_mtim; control_size = st.st_size;
  FILE *f = fopen(control_path, "r"); if (!f) return;
  char *buf = calloc(1, (size_t)st.st_size + 1);
  size_t n = fread(buf, 1, (size_t)st.st_size, f); buf[n] = 0; fclose(f);
  fake_nvml_control(buf); free(buf);
}

#define ENTER() do { maybe_reload(); if (refcount <= 0) return 1; } while (0)
#define DEVICE(h) dev_t_ *d = (dev_t_ *)(h); \
  if (!d || d < devs || d >= devs + ndev) return 2; \
  if (d->lost) return 15; \
  advance(d)

nvmlReturn_t nvmlInit_v2(void) { maybe_reload(); if (init_rc) return init_rc; refcount++; return 0; }
nvmlReturn_t nvmlShutdown(void) { if (refcount <= 0) return 1; refcount--; return 0; }

const char *nvmlErrorString(nvmlReturn_t r) {
  switch (r) {
    case 0: return "Success";
    case 1: return "Uninitialized";
    case 2: return "Invalid Argument";
    case 3: return "Not Supported";
    case 4: return "Insufficient Permissions";
    case 6: return "Not Found";
    case 7: return "Insufficient Size";
    case 9: return "Driver Not Loaded";
    case 15: return "GPU is lost";
    case 999: return "Unknown Error";
    default: return "Unknown Error";
  }
}

nvmlReturn_t nvmlSystemGetDriverVersion(char *version, unsigned int length) {
  ENTER();
  if (!version) return 2;
  if (strlen(driver) + 1 > length) return 7;
  strcpy(version, driver); return 0;
}

nvmlReturn_t nvmlDeviceGetCount_v2(unsigned int *count) {
  ENTER(); if (!count) return 2; *count = (unsigned int)ndev; return 0;
}

nvmlReturn_t nvmlDeviceGetHandleByIndex_v2(unsigned int index, struct nvmlDevice_st **device) {
  ENTER();
  if (!device || index >= (unsigned int)ndev) return 2;
  *device = &devs[index];
  return devs[index].lost ? 15 : 0;
}

static nvmlReturn_t copy_str(const char *s, char *out, unsigned int length) {
  if (!out) return 2;
  if (strlen(s) + 1 > length) return 7;
  strcpy(out, s); return 0;
}

nvmlReturn_t nvmlDeviceGetUUID(struct nvmlDevice_st *h, char *uuid, unsigned int length) {
  ENTER(); DEVICE(h); return copy_str(d->uuid, uuid, length);
}

nvmlReturn_t nvmlDeviceGetName(struct nvmlDevice_st *h, char *name, unsigned int length) {
  ENTER(); DEVICE(h); return copy_str(d->name, name, length);
}

nvmlReturn_t nvmlDeviceGetUtilizationRates(struct nvmlDevice_st *h, nvmlUtilization_t *u) {
  ENTER(); DEVICE(h);
  if (!u) return 2;
  if (d->util_rc) return d->util_rc;
  if (d->mig) return 3;
  u->gpu = d->count ? d->val[(d->head + d->count - 1) % buffer_cap] : 0;
  u->memory = u->gpu / 2;
  return 0;
}

#ifndef OMIT_SAMPLES
nvmlReturn_t nvmlDeviceGetSamples(struct nvmlDevice_st *h, int type, unsigned long long lastSeen,
                                  int *valType, unsigned int *sampleCount, nvmlSample_t *samples) {
  ENTER(); DEVICE(h);
  if (!sampleCount || !valType) return 2;
  if (d->samples_rc) return d->samples_rc;
  if (d->mig || type != 1) return 3;
  int first = d->count;  /* position of the first sample newer than lastSeen */
  for (int i = 0; i < d->count; i++) if (d->ts[(d->head + i) % buffer_cap] > lastSeen) { first = i; break; }
  unsigned int n = (unsigned int)(d->count - first);
  if (n == 0) { *sampleCount = 0; return 6; }
  *valType = d->value_type;
  if (!samples) { *sampleCount = n; return 0; }
  if (*sampleCount < n) { *sampleCount = n; return 7; }
  for (unsigned int i = 0; i < n; i++) {
    int pos = (d->head + first + (int)i) % buffer_cap;
    samples[i].timeStamp = d->ts[pos];
    samples[i].sampleValue.ullVal = 0;
    if (d->value_type == 0) samples[i].sampleValue.dVal = (double)d->val[pos];
    else if (d->value_type == 3) samples[i].sampleValue.ullVal = d->val[pos];
    else samples[i].sampleValue.uiVal = d->val[pos];
  }
  *sampleCount = n;
  return 0;
}
#endif

nvmlReturn_t nvmlDeviceGetTotalEnergyConsumption(struct nvmlDevice_st *h, unsigned long long *energy) {
  ENTER(); DEVICE(h);
  if (!energy) return 2;
  if (d->energy_rc) return d->energy_rc;
  *energy = (unsigned long long)d->energy_mj; return 0;
}

nvmlReturn_t nvmlDeviceGetPowerUsage(struct nvmlDevice_st *h, unsigned int *power) {
  ENTER(); DEVICE(h);
  if (!power) return 2;
  if (d->power_rc) return d->power_rc;
  *power = d->power_mw; return 0;
}

nvmlReturn_t nvmlDeviceGetMemoryInfo(struct nvmlDevice_st *h, nvmlMemory_t *m) {
  ENTER(); DEVICE(h);
  if (!m) return 2;
  m->total = d->mem_total; m->used = d->mem_used; m->free = d->mem_total - d->mem_used; return 0;
}

#ifndef OMIT_PROCESSES
nvmlReturn_t nvmlDeviceGetComputeRunningProcesses_v3(struct nvmlDevice_st *h, unsigned int *infoCount,
                                                     nvmlProcessInfo_t *infos) {
  ENTER(); DEVICE(h);
  if (!infoCount) return 2;
  if (*infoCount < (unsigned int)d->npids) { *infoCount = (unsigned int)d->npids; return 7; }
  if (d->npids && !infos) return 2;
  for (int i = 0; i < d->npids; i++) {
    infos[i].pid = d->pids[i]; infos[i].usedGpuMemory = 1ULL << 30;
    infos[i].gpuInstanceId = 0xFFFFFFFFu; infos[i].computeInstanceId = 0xFFFFFFFFu;
  }
  *infoCount = (unsigned int)d->npids;
  return 0;
}
#endif

nvmlReturn_t nvmlDeviceGetMigMode(struct nvmlDevice_st *h, unsigned int *current, unsigned int *pending) {
  ENTER(); DEVICE(h);
  if (!current || !pending) return 2;
  *current = (unsigned int)d->mig; *pending = (unsigned int)d->mig; return 0;
}
