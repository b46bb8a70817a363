/* SPDX-License-Identifier: MIT */
/*
 * Time zones for the Timestamp column without touching the process-wide
 * TZ: "UTC", a fixed offset ("+05:30", "UTC-03:00"), or an IANA name read
 * from the system's TZif files. Each meter owns its zone, so concurrent
 * calls with different zones do not interfere.
 */
#include "fe_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ZONEINFO_DIR "/usr/share/zoneinfo/"
#define TZIF_MAX_BYTES (1 << 20)
#define TZ_NAME_MAX 64

struct fe__tz {
  int32_t fixed;         /* offset in seconds when count == 0 */
  size_t count;          /* transitions */
  int64_t *at;           /* transition times, epoch seconds, ascending */
  int32_t *offset_after; /* offset in force from at[i] on */
  int32_t before_first;  /* offset before the first transition */
};

static int parse_fixed(const char *s, int32_t *out)
{
  int sign;
  unsigned hh;
  unsigned mm = 0;
  char tail;

  if (strncmp(s, "UTC", 3) == 0 || strncmp(s, "GMT", 3) == 0) {
    s += 3;
  }
  if (*s == '\0' || strcmp(s, "Z") == 0) {
    *out = 0;
    return 0;
  }
  if (*s != '+' && *s != '-') {
    return -1;
  }
  sign = *s == '-' ? -1 : 1;
  s++;
  if (sscanf(s, "%2u:%2u%c", &hh, &mm, &tail) != 2 &&
      sscanf(s, "%2u%c", &hh, &tail) != 1) {
    return -1;
  }
  if (hh > 14 || mm > 59) {
    return -1;
  }
  *out = sign * (int32_t)(hh * 3600 + mm * 60);
  return 0;
}

/* IANA names are letters, digits, '_', '-', '+' and '/' between parts. */
static int safe_zone_name(const char *name)
{
  size_t len = strlen(name);

  if (len == 0 || len >= TZ_NAME_MAX || name[0] == '/' ||
      strstr(name, "..") != NULL) {
    return 0;
  }
  for (size_t i = 0; i < len; i++) {
    char c = name[i];

    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
          (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '+' ||
          c == '/')) {
      return 0;
    }
  }
  return 1;
}

static int64_t get_be(const uint8_t *p, size_t bytes)
{
  uint64_t v = 0;

  for (size_t i = 0; i < bytes; i++) {
    v = v << 8 | p[i];
  }
  if (bytes == 4) {
    return (int64_t)(int32_t)(uint32_t)v;
  }
  return (int64_t)v;
}

static uint8_t *read_small_file(const char *path, size_t *len)
{
  FILE *fp = fopen(path, "rb");
  uint8_t *buf;

  if (fp == NULL) {
    return NULL;
  }
  buf = malloc(TZIF_MAX_BYTES);
  if (buf != NULL) {
    *len = fread(buf, 1, TZIF_MAX_BYTES, fp);
  }
  fclose(fp);
  return buf;
}

struct tzif_counts {
  size_t isut, isstd, leap, time, type, chars;
};

static int tzif_counts(const uint8_t *h, size_t len, struct tzif_counts *c)
{
  if (len < 44 || memcmp(h, "TZif", 4) != 0) {
    return -1;
  }
  c->isut = (size_t)get_be(h + 20, 4);
  c->isstd = (size_t)get_be(h + 24, 4);
  c->leap = (size_t)get_be(h + 28, 4);
  c->time = (size_t)get_be(h + 32, 4);
  c->type = (size_t)get_be(h + 36, 4);
  c->chars = (size_t)get_be(h + 40, 4);
  return c->type == 0 || c->type > 256 || c->time > 100000 ? -1 : 0;
}

static size_t tzif_block_size(const struct tzif_counts *c, size_t tbytes)
{
  return c->time * tbytes + c->time + c->type * 6 + c->chars +
         c->leap * (tbytes + 4) + c->isstd + c->isut;
}

/* Reads the 64-bit (version 2+) data block that follows the first. */
static int load_tzif(struct fe__tz *tz, const uint8_t *buf, size_t len)
{
  struct tzif_counts c;
  const uint8_t *h;
  const uint8_t *times;
  const uint8_t *idx;
  const uint8_t *types;

  if (tzif_counts(buf, len, &c) != 0 || buf[4] < '2') {
    return -1;
  }
  h = buf + 44 + tzif_block_size(&c, 4);
  if ((size_t)(h - buf) > len ||
      tzif_counts(h, len - (size_t)(h - buf), &c) != 0 ||
      (size_t)(h - buf) + 44 + tzif_block_size(&c, 8) > len) {
    return -1;
  }
  times = h + 44;
  idx = times + c.time * 8;
  types = idx + c.time;
  tz->at = malloc((c.time + 1) * sizeof(*tz->at));
  tz->offset_after = malloc((c.time + 1) * sizeof(*tz->offset_after));
  if (tz->at == NULL || tz->offset_after == NULL) {
    return -1;
  }
  for (size_t i = 0; i < c.time; i++) {
    size_t t = idx[i] < c.type ? idx[i] : 0;

    tz->at[i] = get_be(times + i * 8, 8);
    tz->offset_after[i] = (int32_t)get_be(types + t * 6, 4);
  }
  tz->count = c.time;
  tz->before_first = (int32_t)get_be(types, 4);
  tz->fixed = tz->before_first;
  return 0;
}

int fe__tz_open(const char *name, struct fe__tz **out)
{
  struct fe__tz *tz = calloc(1, sizeof(*tz));
  char path[sizeof(ZONEINFO_DIR) + TZ_NAME_MAX];
  uint8_t *buf;
  size_t len = 0;
  int rc = FE_ERR_INVALID;

  if (tz == NULL) {
    return FE_ERR_NOMEM;
  }
  if (parse_fixed(name, &tz->fixed) == 0) {
    *out = tz;
    return 0;
  }
  if (safe_zone_name(name)) {
    snprintf(path, sizeof(path), "%s%s", ZONEINFO_DIR, name);
    buf = read_small_file(path, &len);
    if (buf != NULL && load_tzif(tz, buf, len) == 0) {
      rc = 0;
    }
    free(buf);
  }
  if (rc != 0) {
    fe__tz_free(tz);
    return rc;
  }
  *out = tz;
  return 0;
}

void fe__tz_free(struct fe__tz *tz)
{
  if (tz == NULL) {
    return;
  }
  free(tz->at);
  free(tz->offset_after);
  free(tz);
}

/*
 * Past the last transition the last offset stays in force. Debian's
 * zoneinfo files list transitions up to 2037, so only later dates in zones
 * with daylight saving time come out an hour off.
 */
int32_t fe__tz_offset(const struct fe__tz *tz, int64_t epoch_sec)
{
  size_t lo = 0;
  size_t hi = tz->count;

  if (tz->count == 0) {
    return tz->fixed;
  }
  if (epoch_sec < tz->at[0]) {
    return tz->before_first;
  }
  while (hi - lo > 1) {
    size_t mid = lo + (hi - lo) / 2;

    if (tz->at[mid] <= epoch_sec) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  return tz->offset_after[lo];
}
