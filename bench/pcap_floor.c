/* SPDX-License-Identifier: MIT */
/*
 * pcap_floor: the speed floor for bench/run.sh.  Reads every packet of a
 * capture with libpcap and does nothing else, so the time it takes is the
 * least any libpcap-based reader (cicflow convert included) can take.
 * Usage: pcap_floor FILE; prints "packets=N bytes=N" (bytes = sum of caplen).
 */
#define _DEFAULT_SOURCE /* pcap.h needs u_int and u_char */
#include <pcap/pcap.h>
#include <stdio.h>

int main(int argc, char **argv)
{
  char err[PCAP_ERRBUF_SIZE];
  struct pcap_pkthdr *hdr;
  const unsigned char *data;
  unsigned long long packets = 0;
  unsigned long long bytes = 0;
  unsigned int touch = 0;
  pcap_t *p;
  int rc;

  if (argc != 2) {
    fprintf(stderr, "usage: pcap_floor FILE\n");
    return 2;
  }
  err[0] = '\0';
  p = pcap_open_offline(argv[1], err);
  if (p == NULL) {
    fprintf(stderr, "pcap_floor: %s\n", err);
    return 1;
  }
  while ((rc = pcap_next_ex(p, &hdr, &data)) == 1) {
    packets++;
    bytes += hdr->caplen;
    /* read one byte of the frame so the data is really touched */
    if (hdr->caplen > 0) {
      touch += data[0];
    }
  }
  if (rc != PCAP_ERROR_BREAK) {
    fprintf(stderr, "pcap_floor: %s: %s\n", argv[1], pcap_geterr(p));
    pcap_close(p);
    return 1;
  }
  pcap_close(p);
  printf("packets=%llu bytes=%llu touch=%u\n", packets, bytes, touch);
  return 0;
}
