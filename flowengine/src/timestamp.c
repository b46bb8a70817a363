/* SPDX-License-Identifier: MIT */
/*
 * The Timestamp column. cic: Java's "dd/MM/yyyy hh:mm:ss a" pattern in an
 * English locale, a 12-hour clock where midnight and noon read 12.
 * corrected: ISO 8601 "yyyy-MM-dd HH:mm:ss.uuuuuu".
 */
#include "fe_int.h"

/* Days since 1970-01-01 to a proleptic Gregorian civil date. */
static void civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d)
{
  int64_t z = days + 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;

  *d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
  *m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
  *y = yoe + era * 400 + (*m <= 2);
}

static char *put2(char *p, unsigned v)
{
  p[0] = (char)('0' + v / 10 % 10);
  p[1] = (char)('0' + v % 10);
  return p + 2;
}

/* ":mm:ss" of a second of the day. */
static char *put_minutes_seconds(char *p, int64_t second_of_day)
{
  *p++ = ':';
  p = put2(p, (unsigned)(second_of_day % 3600 / 60));
  *p++ = ':';
  return put2(p, (unsigned)(second_of_day % 60));
}

/* y in decimal, zero-padded to four digits at least. */
static char *put_digits4(char *p, uint64_t y)
{
  char rev[24];
  size_t n = 0;

  do {
    rev[n++] = (char)('0' + y % 10);
    y /= 10;
  } while (y != 0 || n < 4);
  while (n > 0) {
    *p++ = rev[--n];
  }
  return p;
}

/*
 * Java's "yyyy" is the year of era, zero-padded to four digits, with a
 * '+' before years of more than four digits.
 */
static char *put_year(char *p, int64_t year)
{
  uint64_t y = year > 0 ? (uint64_t)year : (uint64_t)(1 - year);

  if (y > 9999) {
    *p++ = '+';
  }
  return put_digits4(p, y);
}

void fe__format_timestamp(int64_t local_sec, char *buf)
{
  int64_t days = fe__floor_div(local_sec, 86400);
  int64_t rest = local_sec - days * 86400;
  unsigned hour = (unsigned)(rest / 3600);
  unsigned hour12 = hour % 12 == 0 ? 12 : hour % 12;
  int64_t year;
  unsigned month;
  unsigned day;
  char *p = buf;

  civil_from_days(days, &year, &month, &day);
  p = put2(p, day);
  *p++ = '/';
  p = put2(p, month);
  *p++ = '/';
  p = put_year(p, year);
  *p++ = ' ';
  p = put2(p, hour12);
  p = put_minutes_seconds(p, rest);
  *p++ = ' ';
  *p++ = hour < 12 ? 'A' : 'P';
  *p++ = 'M';
  *p = '\0';
}

/* ISO 8601 years: four digits at least, a sign outside 0000..9999. */
static char *put_iso_year(char *p, int64_t year)
{
  uint64_t y = year < 0 ? (uint64_t)0 - (uint64_t)year : (uint64_t)year;

  if (year < 0) {
    *p++ = '-';
  } else if (y > 9999) {
    *p++ = '+';
  }
  return put_digits4(p, y);
}

void fe__format_iso_timestamp(int64_t local_us, char *buf)
{
  int64_t sec = fe__floor_div(local_us, 1000000);
  int64_t micros = local_us - sec * 1000000;
  int64_t days = fe__floor_div(sec, 86400);
  int64_t rest = sec - days * 86400;
  int64_t year;
  unsigned month;
  unsigned day;
  char *p = buf;

  civil_from_days(days, &year, &month, &day);
  p = put_iso_year(p, year);
  *p++ = '-';
  p = put2(p, month);
  *p++ = '-';
  p = put2(p, day);
  *p++ = ' ';
  p = put2(p, (unsigned)(rest / 3600));
  p = put_minutes_seconds(p, rest);
  *p++ = '.';
  for (int64_t div = 100000; div > 0; div /= 10) {
    *p++ = (char)('0' + micros / div % 10);
  }
  *p = '\0';
}
