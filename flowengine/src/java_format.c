/* SPDX-License-Identifier: MIT */
/*
 * Java's Double.toString: plain notation for 1e-3 <= |d| < 1e7, else
 * "m.fffE<exp>", always with at least one digit after the point, on the
 * shortest digits that round-trip.
 */
#include "flowengine/row.h"

#include <math.h>
#include <string.h>

#include "fe_int.h"

static size_t plain_notation(const char *digits, int count, int point,
                             char *out)
{
  size_t n = 0;

  if (point <= 0) {
    out[n++] = '0';
    out[n++] = '.';
    for (int i = point; i < 0; i++) {
      out[n++] = '0';
    }
    memcpy(out + n, digits, (size_t)count);
    return n + (size_t)count;
  }
  for (int i = 0; i < point; i++) {
    out[n++] = i < count ? digits[i] : '0';
  }
  out[n++] = '.';
  if (count <= point) {
    out[n++] = '0';
    return n;
  }
  memcpy(out + n, digits + point, (size_t)(count - point));
  return n + (size_t)(count - point);
}

static size_t scientific_notation(const char *digits, int count, int point,
                                  char *out)
{
  size_t n = 0;
  int exponent = point - 1;
  unsigned magnitude = (unsigned)(exponent < 0 ? -exponent : exponent);
  char rev[8];
  size_t r = 0;

  out[n++] = digits[0];
  out[n++] = '.';
  if (count == 1) {
    out[n++] = '0';
  } else {
    memcpy(out + n, digits + 1, (size_t)(count - 1));
    n += (size_t)(count - 1);
  }
  out[n++] = 'E';
  if (exponent < 0) {
    out[n++] = '-';
  }
  do {
    rev[r++] = (char)('0' + magnitude % 10);
    magnitude /= 10;
  } while (magnitude != 0);
  while (r > 0) {
    out[n++] = rev[--r];
  }
  return n;
}

/*
 * Below 2^53 every integer is a double and neighbours are at most 1
 * apart, so an integral value's shortest digits are its own decimal
 * digits without trailing zeros. Counts and byte totals are integral;
 * this path spares them the general algorithm.
 */
static int integral_digits(double a, char *digits, int *point)
{
  char rev[24];
  int n = 0;
  int count = 0;
  uint64_t v;

  if (a >= 9007199254740992.0 || a != floor(a)) {
    return 0;
  }
  v = (uint64_t)a;
  while (v != 0) {
    rev[n++] = (char)('0' + v % 10);
    v /= 10;
  }
  *point = n;
  while (n > 0) {
    digits[count++] = rev[--n];
  }
  while (count > 1 && digits[count - 1] == '0') {
    count--;
  }
  return count;
}

/* Writes v's decimal digits (v > 0) at digits; returns their count. */
static int decimal_digits(uint64_t v, char *digits)
{
  char rev[24];
  int n = 0;
  int count = 0;

  while (v != 0) {
    rev[n++] = (char)('0' + v % 10);
    v /= 10;
  }
  while (n > 0) {
    digits[count++] = rev[--n];
  }
  return count;
}

/*
 * Between 2^39 and 2^52 a double is an integer plus a fraction of at most
 * 13 bits, and its rounding interval (half an ulp either side, bounds
 * included when the significand is even) lies strictly between that
 * integer and the next. So the shortest digits are the integer's followed
 * by the fewest fraction digits k that put a multiple of 10^-k inside the
 * interval; of the two such multiples around the value the nearer one
 * wins, and an exact tie goes to the even last digit. That is what
 * double-conversion's exact (bignum) path decides; its fast path gives
 * up on most of these values, whose exact decimals are short (the idle
 * times near 1.5e15 microseconds end in .25, .5 or .75), and the exact
 * path is costly. Here every quantity fits 64 bits. Returns 0 outside
 * that range or for integers.
 */
static int large_fraction_digits(double a, char *digits, int *point)
{
  int exp2;
  int shift;
  uint64_t whole;
  uint64_t frac;
  uint64_t pow10 = 1;
  int count;

  if (a < 549755813888.0 || a >= 4503599627370496.0) {
    return 0;
  }
  frexp(a, &exp2);   /* a in [2^(exp2-1), 2^exp2) */
  shift = 53 - exp2; /* fraction bits: the ulp is 2^-shift */
  whole = (uint64_t)a;
  frac = (uint64_t)ldexp(a - (double)whole, shift); /* exact */
  if (frac == 0) {
    return 0;
  }
  count = decimal_digits(whole, digits);
  *point = count;
  for (int k = 1; k <= shift; k++) {
    uint64_t scaled = frac * (pow10 *= 10);
    uint64_t down = scaled >> shift;
    uint64_t below = (scaled - (down << shift)) * 2; /* 2^-(shift+1) units */
    uint64_t above = ((uint64_t)2 << shift) - below;
    int even = (frac & 1) == 0;
    int down_in = even ? below <= pow10 : below < pow10;
    int up_in = even ? above <= pow10 : above < pow10;
    uint64_t pick;

    if (!down_in && !up_in) {
      continue;
    }
    if (down_in && up_in) {
      int nearer_down = below < above || (below == above && down % 2 == 0);

      pick = nearer_down ? down : down + 1;
    } else {
      pick = down_in ? down : down + 1;
    }
    for (int i = k - 1; i >= 0; i--) {
      digits[count + i] = (char)('0' + pick % 10);
      pick /= 10;
    }
    return count + k;
  }
  return 0;
}

size_t fe_format_java_double(double d, char *buf)
{
  char digits[32];
  int point = 0;
  int count;
  size_t n = 0;
  double a = fabs(d);

  if (isnan(d)) {
    memcpy(buf, "NaN", 4);
    return 3;
  }
  if (signbit(d)) {
    buf[n++] = '-';
  }
  if (isinf(d)) {
    memcpy(buf + n, "Infinity", 9);
    return n + 8;
  }
  if (a == 0.0) {
    memcpy(buf + n, "0.0", 4);
    return n + 3;
  }
  /* Half the values printed are counts or byte totals below 10^7. */
  if (a < 1e7 && a == (double)(uint32_t)a) {
    n += (size_t)decimal_digits((uint32_t)a, buf + n);
    memcpy(buf + n, ".0", 3);
    return n + 2;
  }
  count = integral_digits(a, digits, &point);
  if (count == 0) {
    count = large_fraction_digits(a, digits, &point);
  }
  if (count == 0) {
    count = fe__shortest_digits(a, digits, &point);
  }
  if (a >= 1e-3 && a < 1e7) {
    n += plain_notation(digits, count, point, buf + n);
  } else {
    n += scientific_notation(digits, count, point, buf + n);
  }
  buf[n] = '\0';
  return n;
}
