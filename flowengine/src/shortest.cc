// SPDX-License-Identifier: MIT
// The one C++ file of the engine: a C entry point to Google's
// double-conversion library (Debian's libdouble-conversion), which finds
// the shortest digit string that reads back as the same double. Java's
// Double.toString is built on those digits; printf has no such mode, and
// trying precisions in a loop is an order of magnitude too slow here.
#include <double-conversion/double-to-string.h>

extern "C" int fe__shortest_digits(double d, char *digits, int *point);

extern "C" int fe__shortest_digits(double d, char *digits, int *point)
{
  using double_conversion::DoubleToStringConverter;
  bool negative = false;
  int length = 0;

  DoubleToStringConverter::DoubleToAscii(
      d, DoubleToStringConverter::SHORTEST, 0, digits,
      DoubleToStringConverter::kBase10MaximalLength + 1, &negative, &length,
      point);
  return length;
}
