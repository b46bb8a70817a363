#!/usr/bin/python3
"""The corrected profile against Engelen et al.'s fixed CICFlowMeter fork.

CORPUS/delta/ holds 24 small captures, each made to show one difference
between CICFlowMeter and the fork of Engelen et al.; engelen/<name>_Flow.csv
is what the fork wrote for each. For every capture this test runs

    cicflow convert --profile corrected --extra-columns end_reason,times,icmp,rst

and holds the rows to TABLE below, which says, capture by capture:

  Match(ours, end, fork, {reason: {column: our value}})
      our row `ours` (written with End Reason `end`) is the same flow as the
      fork's row `fork`. Every shared column not listed agrees with the fork
      (numbers compared as numbers: 0 == 0.0); each listed column differs
      from the fork and has exactly the value given, for the reason given.
  Ours(ours, end, why)    a row only we write.
  Fork(fork, why)         a row only the fork writes.

A row is named "SRC SPORT > DST DPORT pPROTO FIRST-PACKET-TIME FWD+BWD"
(time in UTC with microseconds), which is how the two tools' rows are paired:
by endpoints, protocol, start time and packet counts.

Shared columns: Flow ID, Flow Duration and the 75 feature columns both tools
have (orig #9-83 of ../shared/spec/engelen-fork.md D1), plus our extra columns
ICMP Type, ICMP Code, Fwd RST Flags and Bwd RST Flags against the fork's
columns of the same names (D17, D27). Not compared, different by design:
column names (D1), the Timestamp text (D2, N10; the instant is part of the
row's name), the Label (D3) and the fork's columns we do not have (Bwd Act
Data Pkts, Bwd Seg Size Min, the retransmission counts, Total Connection Flow
Time).

The table was written before the corrected profile was implemented, from
../shared/spec/corrected-profile.md and docs/corrected-profile.md (reading
each capture packet by packet), so it is a statement of what the definition
gives, not a copy of what cicflow prints. The reasons cite the deliberate
differences of corrected-profile.md section 4 ("§4") and the fork's
documented behaviour and bugs in engelen-fork.md (D-numbers, N-numbers).
Any change of behaviour on a capture makes the test fail and says where.
"""
import argparse
import collections
import datetime
import math
import os
import subprocess
import sys
import tempfile

# ---------------------------------------------------------------------------
# Why a column differs (for Match rows).

N3 = ("N3 (D9, D11, D12): the flow's first packet is backward, so the fork "
      "leaves Init Fwd Win Byts and Fwd Seg Size Min at 0; corrected takes "
      "them from the first forward packet (§4: 'set even when the first "
      "packet is backward')")
N4 = ("N4 (D21): the fork divides the subflow columns by the number of "
      "gaps over 1 s (0.0 when there is none); corrected by the number of "
      "subflows, gaps + 1 (§4: 'the subflow count is the number of "
      "subflows, not of gaps')")
N5 = ("N5 (D22): the fork never adds the last (or only) active period to "
      "Active; corrected does (§4: 'the last active period counts')")
N8 = ("N8 (D12, D13): the fork re-creates the flow under the old table key, "
      "so its Flow ID is the reverse of its own Src/Dst; ours follows "
      "Src/Dst (§4: 'Flow ID always agrees with Src/Dst')")
N11 = ("N11 (D4): zero duration: the fork prints -1 in Flow Byts/s and "
       "Flow Pkts/s; corrected prints 0 (§4: 'zero-duration rates are 0, "
       "not -1')")
D5_LEN = ("D5: the fork gives every ICMP packet payload 0 and header length "
          "0; corrected counts the 8-byte ICMP header as header and the rest "
          "of the IP length as payload (corrected §1, 'Lengths come from the "
          "headers'; '8 for ICMP')")
D6_IGMP = ("D6: the fork gives IGMP packets payload 0; corrected has no "
           "transport header for IGMP (header 0) and its payload is all of "
           "the IP payload (corrected §1; docs/corrected-profile.md, Input)")
D6_SCTP = ("D6: the fork reads SCTP ports (3868) and counts the 12-byte "
           "common header as header; corrected keeps ports 0 for protocols "
           "other than TCP and UDP, header 0, and the whole IP payload as "
           "payload (corrected §2 'Other protocols: ports 0'; "
           "docs/corrected-profile.md, Input and Columns)")
D24 = ("D24: the fork's Init Bwd Win Byts is the first non-zero backward "
       "window (1000); corrected takes the window of the first backward "
       "packet, the SYN-ACK's 0 (corrected §3, Init Fwd/Bwd Win Byts)")

# Why a flow is only on one side.

D13_ICMP = ("D13 (N7): the fork ends an ICMP flow when a packet's type and "
            "code both differ from the first packet's, and starts a new one "
            "oriented by that packet; corrected keeps all ICMP between two "
            "addresses in one flow until a timeout (corrected §2, ICMP "
            "flows)")
D7_LOST = ("N1 (D7): jnetpcap has no entry for this IP protocol, so the fork "
           "re-reads the frame from byte 0 (a garbage flow or nothing); "
           "corrected makes a flow of its own protocol (§4: 'unknown IP "
           "protocols are handled')")
D7_GARBAGE = ("D7: the fork re-read an OSPF/VRRP/253 frame from byte 0 as an "
              "IPv4 header: a garbage flow from the MAC addresses (corrected "
              "§1: 'No frame is ever re-read as something else')")
PROTO0 = ("D6, quirk 6: the fork reads GRE and ESP as protocol 0, so the "
          "8 packets are one a-b-0-0-0 flow; corrected has one flow per IP "
          "protocol, 47 and 50 (corrected §1: 'Tunnels are flows of their "
          "own protocol (GRE 47, ..., ESP 50)'), 2+2 packets each")


class Match:
    def __init__(self, ours, end, fork, differ):
        self.ours, self.end, self.fork = ours, end, fork
        self.differ = {}  # column -> (our value, reason)
        for reason, columns in differ.items():
            for column, value in columns.items():
                assert column not in self.differ, column
                self.differ[column] = (value, reason)


class Ours:
    def __init__(self, ours, end, why):
        self.ours, self.end, self.why = ours, end, why


class Fork:
    def __init__(self, fork, why):
        self.fork, self.why = fork, why


# ---------------------------------------------------------------------------
# The table. Packet numbers below count from 0 in capture order; +T is the
# time since the capture's first packet. Every Match also differs from the
# fork by N4 (the subflow divisor), and nearly every one by N5 (the last
# active period): corrected-profile.md §4 names both as deliberate, so no
# capture agrees with the fork on every column.

TABLE = {
    # Client 40000 -> server 80: handshake, one request, one response, FIN
    # from the client, FIN/ACK from the server, last ACK (10 packets). Both
    # tools make one flow; corrected closes it at the last ACK (both FINs
    # acknowledged) and, nothing following, writes it as 'fin'.
    "d01-fin-teardown.pcap": [
        Match("192.168.10.5 40000 > 192.168.10.50 80 p6 "
              "2017-07-05 16:00:00.000000 6+4", "fin",
              "192.168.10.5 40000 > 192.168.10.50 80 p6 "
              "2017-07-05 16:00:00.000000 6+4", {
                  N4: {"Subflow Fwd Pkts": 6.0, "Subflow Fwd Byts": 18.0,
                       "Subflow Bwd Pkts": 4.0, "Subflow Bwd Byts": 1000.0},
                  N5: {"Active Mean": 8999, "Active Max": 8999,
                       "Active Min": 8999},
              }),
    ],
    # d01's connection, then the server's FIN/ACK again at +2.008999 (exactly
    # 2 s after the closing ACK at +0.008999), the client's ACK at +2.009999,
    # and a new connection from +5.009999 (SYN, SYN-ACK, ACK, data, ACK).
    # Corrected: the teardown grace is 2 s from the closing packet and a
    # flow is written when the clock passes it (docs/corrected-profile.md),
    # so the FIN/ACK at exactly +2 s joins the first flow (11 packets) and
    # the ACK 1 ms later finds it written and is a flow of its own. The SYN
    # at +5.009999 starts a new flow: corrected §2, 'A SYN on the same
    # endpoints after that starts a new flow'. That flow is the fork's
    # second one (D11). The fork (D10, N6) absorbs both late packets into
    # its first flow (12 packets): §4 'a terminated TCP flow is written
    # after a bounded grace instead of waiting for a SYN'.
    # Correction after the engine landed: the first version of this table
    # let the stray ACK's flow absorb the SYN like any open flow (as in d04)
    # and so had one 4+2 flow from +2.009999; that overlooked the sentence
    # above, which makes the first SYN after a terminated connection a new
    # flow whatever stray packets came in between. The engine ends the stray
    # flow with End Reason new_connection (docs/corrected-profile.md).
    "d02-after-close.pcap": [
        Ours("192.168.10.5 40000 > 192.168.10.50 80 p6 "
             "2017-07-05 16:00:00.000000 6+5", "fin",
             "packets 0-10: the FIN/ACK retransmitted at exactly the end of "
             "the 2 s grace still belongs to the closed flow (§4 bounded "
             "grace)"),
        Ours("192.168.10.5 40000 > 192.168.10.50 80 p6 "
             "2017-07-05 16:00:02.009999 1+0", "new_connection",
             "packet 11: the ACK 2.001 s after the close comes after the "
             "grace, so it is a flow of its own (§2 'Every flow is "
             "written'), ended by the next connection's SYN"),
        Match("192.168.10.5 40000 > 192.168.10.50 80 p6 "
              "2017-07-05 16:00:05.009999 3+2", "end_of_input",
              "192.168.10.5 40000 > 192.168.10.50 80 p6 "
              "2017-07-05 16:00:05.009999 3+2", {
                  N4: {"Subflow Fwd Pkts": 3.0, "Subflow Fwd Byts": 5.0,
                       "Subflow Bwd Pkts": 2.0},
                  N5: {"Active Mean": 4000, "Active Max": 4000,
                       "Active Min": 4000},
              }),
        Fork("192.168.10.5 40000 > 192.168.10.50 80 p6 "
             "2017-07-05 16:00:00.000000 7+5",
             "D10/N6: the terminated flow absorbs every non-SYN packet "
             "until a SYN (packets 0-11)"),
    ],
    # Client RST at +0.006999 closes the flow; the server's ACK (+0.507) and
    # data (+1.007) come within the 2 s grace and join it; the SYN at
    # +2.006999 writes it and starts flow 2 (SYN, SYN-ACK). Same cut as the
    # fork (D10, D11).
    "d03-rst.pcap": [
        Match("192.168.10.5 40001 > 192.168.10.50 80 p6 "
              "2017-07-05 16:00:00.000000 5+5", "rst",
              "192.168.10.5 40001 > 192.168.10.50 80 p6 "
              "2017-07-05 16:00:00.000000 5+5", {
                  N4: {"Subflow Fwd Pkts": 5.0, "Subflow Fwd Byts": 18.0,
                       "Subflow Bwd Pkts": 5.0, "Subflow Bwd Byts": 1004.0},
                  N5: {"Active Mean": 1006999, "Active Max": 1006999,
                       "Active Min": 1006999},
              }),
        Match("192.168.10.5 40001 > 192.168.10.50 80 p6 "
              "2017-07-05 16:00:02.006999 1+1", "end_of_input",
              "192.168.10.5 40001 > 192.168.10.50 80 p6 "
              "2017-07-05 16:00:02.006999 1+1", {
                  N4: {"Subflow Fwd Pkts": 1.0, "Subflow Bwd Pkts": 1.0},
                  N5: {"Active Mean": 1000, "Active Max": 1000,
                       "Active Min": 1000},
              }),
    ],
    # A connection without FIN, then 10 s later a new SYN on the same
    # endpoints: a SYN on an open flow does not end it (corrected §2 ends
    # TCP flows by FIN handshake or RST only), so one flow, as in the fork.
    # The 10 s gap makes 2 subflows and 2 active periods (6000, 1999 µs);
    # the fork keeps only the first period and divides by 1.
    "d04-syn-reuse-open.pcap": [
        Match("192.168.10.5 40002 > 192.168.10.50 80 p6 "
              "2017-07-05 16:00:00.000000 6+4", "end_of_input",
              "192.168.10.5 40002 > 192.168.10.50 80 p6 "
              "2017-07-05 16:00:00.000000 6+4", {
                  N4: {"Subflow Fwd Pkts": 3.0, "Subflow Fwd Byts": 9.0,
                       "Subflow Bwd Pkts": 2.0, "Subflow Bwd Byts": 500.0},
                  N5: {"Active Mean": 3999.5,
                       "Active Std": 2829.134231527377, "Active Min": 1999},
              }),
    ],
    # Client FIN at packet 7, acknowledged by packet 8; the server sends 800
    # more bytes, then its FIN (13), acknowledged by 14: one flow closed at
    # the last packet, as in the fork.
    "d05-half-close.pcap": [
        Match("192.168.10.5 40003 > 192.168.10.50 80 p6 "
              "2017-07-05 16:00:00.000000 8+7", "fin",
              "192.168.10.5 40003 > 192.168.10.50 80 p6 "
              "2017-07-05 16:00:00.000000 8+7", {
                  N4: {"Subflow Fwd Pkts": 8.0, "Subflow Fwd Byts": 18.0,
                       "Subflow Bwd Pkts": 7.0, "Subflow Bwd Byts": 1800.0},
                  N5: {"Active Mean": 13999, "Active Max": 13999,
                       "Active Min": 13999},
              }),
    ],
    # The capture starts at the SYN-ACK: its destination (the client) is the
    # initiator (corrected §2), as in the fork (D9); the SYN-ACK is the
    # first, backward, packet.
    "d06-synack-first.pcap": [
        Match("192.168.10.5 40004 > 192.168.10.50 80 p6 "
              "2017-07-05 16:00:00.000000 5+4", "fin",
              "192.168.10.5 40004 > 192.168.10.50 80 p6 "
              "2017-07-05 16:00:00.000000 5+4", {
                  N3: {"Init Fwd Win Byts": 8192, "Fwd Seg Size Min": 20},
                  N4: {"Subflow Fwd Pkts": 5.0, "Subflow Fwd Byts": 18.0,
                       "Subflow Bwd Pkts": 4.0, "Subflow Bwd Byts": 1000.0},
                  N5: {"Active Mean": 7999, "Active Max": 7999,
                       "Active Min": 7999},
              }),
    ],
    # Five one-packet flows (3 SYN probes, a UDP probe, an ICMP echo with 32
    # bytes of data): both tools write every flow (§2 'Every flow is
    # written', D14). One packet: no active period of length > 0, no gap.
    "d07-single-packet.pcap": [
        Match("192.168.10.5 50000 > 192.168.10.50 22 p6 "
              "2017-07-05 16:00:00.000000 1+0", "end_of_input",
              "192.168.10.5 50000 > 192.168.10.50 22 p6 "
              "2017-07-05 16:00:00.000000 1+0", {
                  N11: {"Flow Byts/s": 0, "Flow Pkts/s": 0},
                  N4: {"Subflow Fwd Pkts": 1.0},
              }),
        Match("192.168.10.5 50000 > 192.168.10.50 23 p6 "
              "2017-07-05 16:00:00.010000 1+0", "end_of_input",
              "192.168.10.5 50000 > 192.168.10.50 23 p6 "
              "2017-07-05 16:00:00.010000 1+0", {
                  N11: {"Flow Byts/s": 0, "Flow Pkts/s": 0},
                  N4: {"Subflow Fwd Pkts": 1.0},
              }),
        Match("192.168.10.5 50000 > 192.168.10.50 25 p6 "
              "2017-07-05 16:00:00.020000 1+0", "end_of_input",
              "192.168.10.5 50000 > 192.168.10.50 25 p6 "
              "2017-07-05 16:00:00.020000 1+0", {
                  N11: {"Flow Byts/s": 0, "Flow Pkts/s": 0},
                  N4: {"Subflow Fwd Pkts": 1.0},
              }),
        Match("192.168.10.5 50001 > 192.168.10.50 161 p17 "
              "2017-07-05 16:00:00.100000 1+0", "end_of_input",
              "192.168.10.5 50001 > 192.168.10.50 161 p17 "
              "2017-07-05 16:00:00.100000 1+0", {
                  N11: {"Flow Byts/s": 0, "Flow Pkts/s": 0},
                  N4: {"Subflow Fwd Pkts": 1.0, "Subflow Fwd Byts": 40.0},
              }),
        Match("192.168.10.5 0 > 192.168.10.50 0 p1 "
              "2017-07-05 16:00:00.200000 1+0", "end_of_input",
              "192.168.10.5 0 > 192.168.10.50 0 p1 "
              "2017-07-05 16:00:00.200000 1+0", {
                  N11: {"Flow Byts/s": 0, "Flow Pkts/s": 0},
                  N4: {"Subflow Fwd Pkts": 1.0, "Subflow Fwd Byts": 32.0},
                  D5_LEN: {"TotLen Fwd Pkts": 32, "Fwd Pkt Len Max": 32,
                           "Fwd Pkt Len Min": 32, "Fwd Pkt Len Mean": 32,
                           "Fwd Header Len": 8, "Pkt Len Min": 32,
                           "Pkt Len Max": 32, "Pkt Len Mean": 32,
                           "Pkt Size Avg": 32, "Fwd Seg Size Avg": 32,
                           "Fwd Act Data Pkts": 1, "Fwd Seg Size Min": 8},
              }),
    ],
    # A packet every 10 s for 200 s. Packet 14 (server, +120.002) comes more
    # than the active timeout after the first packet: flow 1 is written and
    # packet 14 starts the continuation, same initiator, counted backward
    # (corrected §2), as in the fork (D12). Gaps of 10 s: every active period
    # but the first is a lone packet (length 0, not an Active value), so
    # Active agrees; 13 and 8 gaps over 1 s give 14 and 9 subflows.
    "d08-tcp-timeout.pcap": [
        Match("192.168.10.5 40005 > 192.168.10.50 80 p6 "
              "2017-07-05 16:00:00.000000 8+6", "active_timeout",
              "192.168.10.5 40005 > 192.168.10.50 80 p6 "
              "2017-07-05 16:00:00.000000 8+6", {
                  N4: {"Subflow Fwd Pkts": 8 / 12, "Subflow Fwd Byts": 60 / 12,
                       "Subflow Bwd Pkts": 6 / 12,
                       "Subflow Bwd Byts": 100 / 12},
              }),
        Match("192.168.10.5 40005 > 192.168.10.50 80 p6 "
              "2017-07-05 16:02:00.002000 4+5", "end_of_input",
              "192.168.10.5 40005 > 192.168.10.50 80 p6 "
              "2017-07-05 16:02:00.002000 4+5", {
                  N3: {"Init Fwd Win Byts": 8192, "Fwd Seg Size Min": 20},
                  N4: {"Subflow Fwd Pkts": 4 / 9, "Subflow Fwd Byts": 40 / 9,
                       "Subflow Bwd Pkts": 5 / 9,
                       "Subflow Bwd Byts": 100 / 9},
              }),
    ],
    # A DNS-like exchange every 30 s. Packet 8 (+120.000) is not more than
    # 120 s after the first packet and stays in flow 1; packet 9 (server,
    # +120.010) starts the continuation (kept initiator, counted backward).
    # Then 200 s of silence: at packet 12 (+350.010) the clock is more than
    # the idle timeout past flow 2's last packet, so flow 2 is written
    # ('idle_timeout'; idle is checked when the clock moves, before the
    # packet is placed) and packet 12, from the server, starts a new flow
    # oriented by itself (docs/corrected-profile.md, Idle timeout). Same
    # cuts and orientations as the fork.
    "d09-udp-timeout.pcap": [
        Match("192.168.10.5 7000 > 192.168.10.50 53 p17 "
              "2017-07-05 16:00:00.000000 5+4", "active_timeout",
              "192.168.10.5 7000 > 192.168.10.50 53 p17 "
              "2017-07-05 16:00:00.000000 5+4", {
                  N4: {"Subflow Fwd Pkts": 1.0, "Subflow Fwd Byts": 32.0,
                       "Subflow Bwd Pkts": 0.8, "Subflow Bwd Byts": 65.2},
              }),
        Match("192.168.10.5 7000 > 192.168.10.50 53 p17 "
              "2017-07-05 16:02:00.010000 1+2", "idle_timeout",
              "192.168.10.5 7000 > 192.168.10.50 53 p17 "
              "2017-07-05 16:02:00.010000 1+2", {
                  N3: {"Fwd Seg Size Min": 8},
                  N4: {"Subflow Fwd Pkts": 0.5, "Subflow Fwd Byts": 17.5,
                       "Subflow Bwd Pkts": 1.0, "Subflow Bwd Byts": 84.5},
                  N5: {"Active Mean": 10000, "Active Max": 10000,
                       "Active Min": 10000},
              }),
        Match("192.168.10.50 53 > 192.168.10.5 7000 p17 "
              "2017-07-05 16:05:50.010000 1+1", "end_of_input",
              "192.168.10.50 53 > 192.168.10.5 7000 p17 "
              "2017-07-05 16:05:50.010000 1+1", {
                  N8: {"Flow ID": "192.168.10.50-192.168.10.5-53-7000-17"},
                  N4: {"Subflow Fwd Pkts": 1.0, "Subflow Fwd Byts": 99.0,
                       "Subflow Bwd Pkts": 1.0, "Subflow Bwd Byts": 98.0},
                  N5: {"Active Mean": 500000, "Active Max": 500000,
                       "Active Min": 500000},
              }),
    ],
    # Echo request/reply x3, then three destination-unreachable messages
    # (3/3, 3/0, 3/3) from .50, then two time-exceeded (11/0) from a router.
    # Corrected: one ICMP flow per address pair (9 packets, type 8 code 0)
    # and the router's flow; the fork splits the first pair at the 3/3.
    "d10-icmp.pcap": [
        Ours("192.168.10.5 0 > 192.168.10.50 0 p1 "
             "2017-07-05 16:00:00.000000 3+6", "end_of_input", D13_ICMP),
        Match("10.0.0.254 0 > 192.168.10.5 0 p1 "
              "2017-07-05 16:00:07.000000 2+0", "end_of_input",
              "10.0.0.254 0 > 192.168.10.5 0 p1 "
              "2017-07-05 16:00:07.000000 2+0", {
                  D5_LEN: {"TotLen Fwd Pkts": 80, "Fwd Pkt Len Max": 40,
                           "Fwd Pkt Len Min": 40, "Fwd Pkt Len Mean": 40,
                           "Flow Byts/s": 160.0, "Fwd Header Len": 16,
                           "Pkt Len Min": 40, "Pkt Len Max": 40,
                           "Pkt Len Mean": 40, "Pkt Size Avg": 40,
                           "Fwd Seg Size Avg": 40, "Fwd Act Data Pkts": 2,
                           "Fwd Seg Size Min": 8},
                  N4: {"Subflow Fwd Pkts": 2.0, "Subflow Fwd Byts": 80.0},
                  N5: {"Active Mean": 500000, "Active Max": 500000,
                       "Active Min": 500000},
              }),
        Fork("192.168.10.5 0 > 192.168.10.50 0 p1 "
             "2017-07-05 16:00:00.000000 3+3", D13_ICMP),
        Fork("192.168.10.50 0 > 192.168.10.5 0 p1 "
             "2017-07-05 16:00:04.000000 3+0", D13_ICMP),
    ],
    # PSH and URG on several packets of both directions, a zero window on
    # the first server data packet. PSH/URG counts (D16), Pkt Len (D18),
    # Down/Up (D19) and Init Bwd Win (the SYN-ACK's 29200, D24) are the same
    # definitions in both tools and agree.
    "d11-psh-urg-win.pcap": [
        Match("192.168.10.5 40006 > 192.168.10.50 80 p6 "
              "2017-07-05 16:00:00.000000 5+4", "end_of_input",
              "192.168.10.5 40006 > 192.168.10.50 80 p6 "
              "2017-07-05 16:00:00.000000 5+4", {
                  N4: {"Subflow Fwd Pkts": 5.0, "Subflow Fwd Byts": 15.0,
                       "Subflow Bwd Pkts": 4.0, "Subflow Bwd Byts": 36.0},
                  N5: {"Active Mean": 7999, "Active Max": 7999,
                       "Active Min": 7999},
              }),
    ],
    # 6 client segments, 5 server segments, 2 client segments, 10 ms apart:
    # one bulk each way (corrected §3 bulk = D20): 615 B / 6 / 12300 B/s and
    # 1010 B / 5 / 25250 B/s in both tools.
    "d12-bulk.pcap": [
        Match("192.168.10.5 40007 > 192.168.10.50 80 p6 "
              "2017-07-05 16:00:00.000000 10+6", "end_of_input",
              "192.168.10.5 40007 > 192.168.10.50 80 p6 "
              "2017-07-05 16:00:00.000000 10+6", {
                  N4: {"Subflow Fwd Pkts": 10.0, "Subflow Fwd Byts": 715.0,
                       "Subflow Bwd Pkts": 6.0, "Subflow Bwd Byts": 1010.0},
                  N5: {"Active Mean": 132000, "Active Max": 132000,
                       "Active Min": 132000},
              }),
    ],
    # Flow 7100: three bursts, gaps 2.05 s and 8.05 s: 3 subflows (the fork
    # divides by 2); active periods 2749999 and 350000 µs around one idle
    # 8050000 (the fork keeps only the first period). Flow 7101 comes after
    # it in the file but is stamped 16:00:00-16:00:00.7, before the clock
    # (16:00:11.15): its packets are out of order in the capture but in
    # order within their flow, so its gaps are 100 ms each and its duration
    # 0.7 s (corrected §3: 'a timestamp earlier than the previous one' of
    # the flow gives 0; Flow Duration = sum of the flow's gaps), as in the
    # fork.
    "d13-subflow-active-idle.pcap": [
        Match("192.168.10.5 7100 > 192.168.10.50 5000 p17 "
              "2017-07-05 16:00:00.000000 12+12", "end_of_input",
              "192.168.10.5 7100 > 192.168.10.50 5000 p17 "
              "2017-07-05 16:00:00.000000 12+12", {
                  N4: {"Subflow Fwd Pkts": 4.0, "Subflow Fwd Byts": 400.0,
                       "Subflow Bwd Pkts": 4.0, "Subflow Bwd Byts": 1200.0},
                  N5: {"Active Mean": 1549999.5,
                       "Active Std": 1697055.5677409328,
                       "Active Min": 350000},
              }),
        Match("192.168.10.5 7101 > 192.168.10.50 5000 p17 "
              "2017-07-05 16:00:00.000000 4+4", "end_of_input",
              "192.168.10.5 7101 > 192.168.10.50 5000 p17 "
              "2017-07-05 16:00:00.000000 4+4", {
                  N4: {"Subflow Fwd Pkts": 4.0, "Subflow Fwd Byts": 200.0,
                       "Subflow Bwd Pkts": 4.0, "Subflow Bwd Byts": 240.0},
                  N5: {"Active Mean": 700000, "Active Max": 700000,
                       "Active Min": 700000},
              }),
    ],
    # A retransmitted segment and a duplicate ACK: no column of ours counts
    # retransmissions (the fork's D28 columns are not compared); one flow.
    "d14-retrans.pcap": [
        Match("192.168.10.5 40008 > 192.168.10.50 80 p6 "
              "2017-07-05 16:00:00.000000 5+4", "end_of_input",
              "192.168.10.5 40008 > 192.168.10.50 80 p6 "
              "2017-07-05 16:00:00.000000 5+4", {
                  N4: {"Subflow Fwd Pkts": 5.0, "Subflow Fwd Byts": 200.0,
                       "Subflow Bwd Pkts": 4.0},
                  N5: {"Active Mean": 515000, "Active Max": 515000,
                       "Active Min": 515000},
              }),
    ],
    # Four packets each (2 each way) of SCTP, IGMP, GRE, ESP, OSPF (89),
    # VRRP (112) and protocol 253, 10 s apart. Corrected: 7 flows, one per
    # protocol, ports 0, header 0, payload = IP payload. The fork: SCTP with
    # ports, IGMP with length 0, GRE+ESP merged as protocol 0, and the last
    # three protocols lost or turned into garbage flows.
    "d15-other-protocols.pcap": [
        Match("192.168.10.5 0 > 192.168.10.50 0 p132 "
              "2017-07-05 16:00:00.000000 2+2", "end_of_input",
              "192.168.10.5 3868 > 192.168.10.50 3868 p132 "
              "2017-07-05 16:00:00.000000 2+2", {
                  D6_SCTP: {"Flow ID": "192.168.10.5-192.168.10.50-0-0-132",
                            "TotLen Fwd Pkts": 96, "TotLen Bwd Pkts": 120,
                            "Fwd Pkt Len Max": 48, "Fwd Pkt Len Min": 48,
                            "Fwd Pkt Len Mean": 48, "Bwd Pkt Len Max": 60,
                            "Bwd Pkt Len Min": 60, "Bwd Pkt Len Mean": 60,
                            "Flow Byts/s": 216 / 1.1, "Fwd Header Len": 0,
                            "Bwd Header Len": 0, "Pkt Len Min": 48,
                            "Pkt Len Max": 60, "Pkt Len Mean": 54,
                            "Pkt Size Avg": 54, "Fwd Seg Size Avg": 48,
                            "Bwd Seg Size Avg": 60, "Fwd Seg Size Min": 0},
                  N4: {"Subflow Fwd Pkts": 2.0, "Subflow Fwd Byts": 96.0,
                       "Subflow Bwd Pkts": 2.0, "Subflow Bwd Byts": 120.0},
                  N5: {"Active Mean": 1100000, "Active Max": 1100000,
                       "Active Min": 1100000},
              }),
        Match("192.168.10.5 0 > 192.168.10.50 0 p2 "
              "2017-07-05 16:00:10.000000 2+2", "end_of_input",
              "192.168.10.5 0 > 192.168.10.50 0 p2 "
              "2017-07-05 16:00:10.000000 2+2", {
                  D6_IGMP: {"TotLen Fwd Pkts": 16, "TotLen Bwd Pkts": 16,
                            "Fwd Pkt Len Max": 8, "Fwd Pkt Len Min": 8,
                            "Fwd Pkt Len Mean": 8, "Bwd Pkt Len Max": 8,
                            "Bwd Pkt Len Min": 8, "Bwd Pkt Len Mean": 8,
                            "Flow Byts/s": 32 / 1.1, "Pkt Len Min": 8,
                            "Pkt Len Max": 8, "Pkt Len Mean": 8,
                            "Pkt Size Avg": 8, "Fwd Seg Size Avg": 8,
                            "Bwd Seg Size Avg": 8, "Fwd Act Data Pkts": 2},
                  N4: {"Subflow Fwd Pkts": 2.0, "Subflow Fwd Byts": 16.0,
                       "Subflow Bwd Pkts": 2.0, "Subflow Bwd Byts": 16.0},
                  N5: {"Active Mean": 1100000, "Active Max": 1100000,
                       "Active Min": 1100000},
              }),
        Ours("192.168.10.5 0 > 192.168.10.50 0 p47 "
             "2017-07-05 16:00:20.000000 2+2", "end_of_input", PROTO0),
        Ours("192.168.10.5 0 > 192.168.10.50 0 p50 "
             "2017-07-05 16:00:30.000000 2+2", "end_of_input", PROTO0),
        Ours("192.168.10.5 0 > 192.168.10.50 0 p89 "
             "2017-07-05 16:00:40.000000 2+2", "end_of_input", D7_LOST),
        Ours("192.168.10.5 0 > 192.168.10.50 0 p112 "
             "2017-07-05 16:00:50.000000 2+2", "end_of_input", D7_LOST),
        Ours("192.168.10.5 0 > 192.168.10.50 0 p253 "
             "2017-07-05 16:01:00.000000 2+2", "end_of_input", D7_LOST),
        Fork("192.168.10.5 0 > 192.168.10.50 0 p0 "
             "2017-07-05 16:00:20.000000 4+4", PROTO0),
        Fork("8.0.69.0 0 > 0.60.0.1 0 p0 "
             "2017-07-05 16:00:40.000000 2+0", D7_GARBAGE),
        Fork("8.0.69.0 0 > 0.40.0.1 0 p0 "
             "2017-07-05 16:00:50.000000 2+0", D7_GARBAGE),
        Fork("8.0.69.0 0 > 0.32.0.1 0 p0 "
             "2017-07-05 16:01:00.000000 2+0", D7_GARBAGE),
    ],
    # Four UDP exchanges whose start times need 0, 3 and 6 fraction digits
    # in the fork (D2, N10); the first is 15.5 h before the others, so the
    # clock moving to 16:00 ends it by idle timeout. The instants agree.
    "d16-timestamps.pcap": [
        Match("192.168.10.5 7203 > 192.168.10.50 53 p17 "
              "2017-07-05 00:30:00.000000 1+1", "idle_timeout",
              "192.168.10.5 7203 > 192.168.10.50 53 p17 "
              "2017-07-05 00:30:00.000000 1+1", {
                  N4: {"Subflow Fwd Pkts": 1.0, "Subflow Fwd Byts": 10.0,
                       "Subflow Bwd Pkts": 1.0, "Subflow Bwd Byts": 10.0},
                  N5: {"Active Mean": 100000, "Active Max": 100000,
                       "Active Min": 100000},
              }),
        Match("192.168.10.5 7200 > 192.168.10.50 53 p17 "
              "2017-07-05 16:00:00.000000 1+1", "end_of_input",
              "192.168.10.5 7200 > 192.168.10.50 53 p17 "
              "2017-07-05 16:00:00.000000 1+1", {
                  N4: {"Subflow Fwd Pkts": 1.0, "Subflow Fwd Byts": 10.0,
                       "Subflow Bwd Pkts": 1.0, "Subflow Bwd Byts": 10.0},
                  N5: {"Active Mean": 200000, "Active Max": 200000,
                       "Active Min": 200000},
              }),
        Match("192.168.10.5 7201 > 192.168.10.50 53 p17 "
              "2017-07-05 16:00:01.500000 1+1", "end_of_input",
              "192.168.10.5 7201 > 192.168.10.50 53 p17 "
              "2017-07-05 16:00:01.500000 1+1", {
                  N4: {"Subflow Fwd Pkts": 1.0, "Subflow Fwd Byts": 10.0,
                       "Subflow Bwd Pkts": 1.0, "Subflow Bwd Byts": 10.0},
                  N5: {"Active Mean": 200000, "Active Max": 200000,
                       "Active Min": 200000},
              }),
        Match("192.168.10.5 7202 > 192.168.10.50 53 p17 "
              "2017-07-05 16:00:02.123456 1+1", "end_of_input",
              "192.168.10.5 7202 > 192.168.10.50 53 p17 "
              "2017-07-05 16:00:02.123456 1+1", {
                  N4: {"Subflow Fwd Pkts": 1.0, "Subflow Fwd Byts": 10.0,
                       "Subflow Bwd Pkts": 1.0, "Subflow Bwd Byts": 10.0},
                  N5: {"Active Mean": 76544, "Active Max": 76544,
                       "Active Min": 76544},
              }),
    ],
    # The capture starts mid-teardown: client FIN (0), server FIN/ACK
    # acknowledging it (1), client ACK of the server FIN (2) closes the
    # flow; the ACK at +1.002 is within the grace and joins it; the SYN at
    # +3.002 comes after the grace and starts a new flow (SYN, SYN-ACK).
    # The fork never reaches its 'ready' state without a SYN-opened
    # connection and absorbs everything (N6).
    "d17-fin-first.pcap": [
        Ours("192.168.10.5 40009 > 192.168.10.50 80 p6 "
             "2017-07-05 16:00:00.000000 3+1", "fin",
             "N6 (D10): both FINs acknowledged close the flow whatever came "
             "before (corrected §2, Ending a flow)"),
        Ours("192.168.10.5 40009 > 192.168.10.50 80 p6 "
             "2017-07-05 16:00:03.002000 1+1", "end_of_input",
             "a SYN after the teardown grace starts a new flow (corrected "
             "§2); the fork absorbs it (N6)"),
        Fork("192.168.10.5 40009 > 192.168.10.50 80 p6 "
             "2017-07-05 16:00:00.000000 4+2",
             "N6 (D10): the fork's flow never terminates, so the later SYN "
             "and SYN-ACK join it"),
    ],
    # SYN -> RST, and again 1 s later: the RST closes each attempt, the
    # second SYN starts flow 2; the RST counts agree (D17: Bwd RST 1).
    "d18-syn-rst-retry.pcap": [
        Match("192.168.10.5 40010 > 192.168.10.50 81 p6 "
              "2017-07-05 16:00:00.000000 1+1", "rst",
              "192.168.10.5 40010 > 192.168.10.50 81 p6 "
              "2017-07-05 16:00:00.000000 1+1", {
                  N4: {"Subflow Fwd Pkts": 1.0, "Subflow Bwd Pkts": 1.0},
                  N5: {"Active Mean": 1000, "Active Max": 1000,
                       "Active Min": 1000},
              }),
        Match("192.168.10.5 40010 > 192.168.10.50 81 p6 "
              "2017-07-05 16:00:01.001000 1+1", "rst",
              "192.168.10.5 40010 > 192.168.10.50 81 p6 "
              "2017-07-05 16:00:01.001000 1+1", {
                  N4: {"Subflow Fwd Pkts": 1.0, "Subflow Bwd Pkts": 1.0},
                  N5: {"Active Mean": 1000, "Active Max": 1000,
                       "Active Min": 1000},
              }),
    ],
    # ICMP 8/0, 13/0, a 5/1 redirect from .50, 8/0 again: one flow for
    # corrected, three for the fork (split at 5/1 and again at 8/0).
    "d19-icmp-split.pcap": [
        Ours("192.168.10.5 0 > 192.168.10.50 0 p1 "
             "2017-07-05 16:00:00.000000 3+1", "end_of_input", D13_ICMP),
        Fork("192.168.10.5 0 > 192.168.10.50 0 p1 "
             "2017-07-05 16:00:00.000000 2+0", D13_ICMP),
        Fork("192.168.10.50 0 > 192.168.10.5 0 p1 "
             "2017-07-05 16:00:02.000000 1+0", D13_ICMP),
        Fork("192.168.10.5 0 > 192.168.10.50 0 p1 "
             "2017-07-05 16:00:03.000000 1+0", D13_ICMP),
    ],
    # Three ARP requests and three IPv6 TCP SYNs (fd00::1 41000 -> fd00::2
    # 443, retransmitted; the capture is out of order). Corrected ignores
    # the ARP frames ('not_ip') and reads the IPv6 packets: one flow of 3
    # SYNs (a SYN on an open flow does not end it). The fork reads no IPv6
    # and re-reads those frames from byte 0 into a garbage flow.
    "d20-nonipv4.pcap": [
        Ours("fd00::1 41000 > fd00::2 443 p6 "
             "2017-07-05 16:00:01.000000 3+0", "end_of_input",
             "§4: 'IPv6 ... handled'; the fork ignores IPv6 (quirk 26)"),
        Fork("134.221.96.0 0 > 0.0.0.20 0 p0 "
             "2017-07-05 16:00:01.000000 3+0",
             "D8, quirk 7: IPv6 frames re-read from byte 0 as IPv4 "
             "(corrected §1: 'No frame is ever re-read as something else')"),
    ],
    # Server windows 0 (SYN-ACK), 1000, 2000; then a lone SYN-ACK from port
    # 443 (backscatter): its destination is the initiator, so a flow of 0
    # forward and 1 backward packet in both tools (D9).
    "d21-initwin-backscatter.pcap": [
        Match("192.168.10.5 40011 > 192.168.10.50 80 p6 "
              "2017-07-05 16:00:00.000000 3+3", "end_of_input",
              "192.168.10.5 40011 > 192.168.10.50 80 p6 "
              "2017-07-05 16:00:00.000000 3+3", {
                  D24: {"Init Bwd Win Byts": 0},
                  N4: {"Subflow Fwd Pkts": 3.0, "Subflow Fwd Byts": 10.0,
                       "Subflow Bwd Pkts": 3.0, "Subflow Bwd Byts": 40.0},
                  N5: {"Active Mean": 5000, "Active Max": 5000,
                       "Active Min": 5000},
              }),
        Match("192.168.10.5 50505 > 192.168.10.50 443 p6 "
              "2017-07-05 16:00:05.000000 0+1", "end_of_input",
              "192.168.10.5 50505 > 192.168.10.50 443 p6 "
              "2017-07-05 16:00:05.000000 0+1", {
                  N11: {"Flow Byts/s": 0, "Flow Pkts/s": 0},
                  N4: {"Subflow Bwd Pkts": 1.0},
              }),
    ],
    # d01's connection, then 1 s after the close an unsolicited SYN-ACK from
    # the server and the client's ACK: the SYN-ACK (within the grace, but a
    # SYN) writes flow 1 and starts flow 2, whose initiator is its
    # destination, the client (D11 in the fork, the same cut).
    "d22-ready-synack.pcap": [
        Match("192.168.10.5 40012 > 192.168.10.50 80 p6 "
              "2017-07-05 16:00:00.000000 6+4", "fin",
              "192.168.10.5 40012 > 192.168.10.50 80 p6 "
              "2017-07-05 16:00:00.000000 6+4", {
                  N4: {"Subflow Fwd Pkts": 6.0, "Subflow Fwd Byts": 18.0,
                       "Subflow Bwd Pkts": 4.0, "Subflow Bwd Byts": 1000.0},
                  N5: {"Active Mean": 8999, "Active Max": 8999,
                       "Active Min": 8999},
              }),
        Match("192.168.10.5 40012 > 192.168.10.50 80 p6 "
              "2017-07-05 16:00:01.008999 1+1", "end_of_input",
              "192.168.10.5 40012 > 192.168.10.50 80 p6 "
              "2017-07-05 16:00:01.008999 1+1", {
                  N3: {"Init Fwd Win Byts": 8192, "Fwd Seg Size Min": 20},
                  N4: {"Subflow Fwd Pkts": 1.0, "Subflow Bwd Pkts": 1.0},
                  N5: {"Active Mean": 1000, "Active Max": 1000,
                       "Active Min": 1000},
              }),
    ],
    # Two UDP datagrams with IP total length 0 (segmentation offload): the
    # captured length counts (corrected §1), 2000 payload bytes each, as in
    # the fork (D8).
    "d23-udp-totlen0.pcap": [
        Match("192.168.10.5 6000 > 192.168.10.50 7000 p17 "
              "2017-07-05 16:00:00.000000 2+0", "end_of_input",
              "192.168.10.5 6000 > 192.168.10.50 7000 p17 "
              "2017-07-05 16:00:00.000000 2+0", {
                  N4: {"Subflow Fwd Pkts": 2.0, "Subflow Fwd Byts": 4000.0},
                  N5: {"Active Mean": 10000, "Active Max": 10000,
                       "Active Min": 10000},
              }),
    ],
    # Echo 8/0 to .50, a 3/0 and a 3/3 back; an echo to 10.0.0.254 at +3 s
    # whose reply comes at +133 s. Corrected: the .50 flow is one flow (the
    # fork splits at 3/3, not at 3/0: N7); at +133 s the clock is more than
    # the idle timeout past both flows' last packets, so both are written
    # ('idle_timeout') and the reply starts a flow oriented by itself.
    "d24-icmp-code-timeout.pcap": [
        Ours("192.168.10.5 0 > 192.168.10.50 0 p1 "
             "2017-07-05 16:00:00.000000 1+2", "idle_timeout", D13_ICMP),
        Match("192.168.10.5 0 > 10.0.0.254 0 p1 "
              "2017-07-05 16:00:03.000000 1+0", "idle_timeout",
              "192.168.10.5 0 > 10.0.0.254 0 p1 "
              "2017-07-05 16:00:03.000000 1+0", {
                  N11: {"Flow Byts/s": 0, "Flow Pkts/s": 0},
                  D5_LEN: {"Fwd Header Len": 8, "Fwd Seg Size Min": 8},
                  N4: {"Subflow Fwd Pkts": 1.0},
              }),
        Match("10.0.0.254 0 > 192.168.10.5 0 p1 "
              "2017-07-05 16:02:13.000000 1+0", "end_of_input",
              "10.0.0.254 0 > 192.168.10.5 0 p1 "
              "2017-07-05 16:02:13.000000 1+0", {
                  N8: {"Flow ID": "10.0.0.254-192.168.10.5-0-0-1"},
                  N11: {"Flow Byts/s": 0, "Flow Pkts/s": 0},
                  D5_LEN: {"Fwd Header Len": 8, "Fwd Seg Size Min": 8},
                  N4: {"Subflow Fwd Pkts": 1.0},
              }),
        Fork("192.168.10.5 0 > 192.168.10.50 0 p1 "
             "2017-07-05 16:00:00.000000 1+1", D13_ICMP),
        Fork("192.168.10.50 0 > 192.168.10.5 0 p1 "
             "2017-07-05 16:00:02.000000 1+0", D13_ICMP),
    ],
}

# ---------------------------------------------------------------------------
# Columns.

OUR_COLUMNS = (
    "Flow ID,Src IP,Src Port,Dst IP,Dst Port,Protocol,Timestamp,"
    "Flow Duration,Tot Fwd Pkts,Tot Bwd Pkts,TotLen Fwd Pkts,TotLen Bwd Pkts,"
    "Fwd Pkt Len Max,Fwd Pkt Len Min,Fwd Pkt Len Mean,Fwd Pkt Len Std,"
    "Bwd Pkt Len Max,Bwd Pkt Len Min,Bwd Pkt Len Mean,Bwd Pkt Len Std,"
    "Flow Byts/s,Flow Pkts/s,Flow IAT Mean,Flow IAT Std,Flow IAT Max,"
    "Flow IAT Min,Fwd IAT Tot,Fwd IAT Mean,Fwd IAT Std,Fwd IAT Max,"
    "Fwd IAT Min,Bwd IAT Tot,Bwd IAT Mean,Bwd IAT Std,Bwd IAT Max,"
    "Bwd IAT Min,Fwd PSH Flags,Bwd PSH Flags,Fwd URG Flags,Bwd URG Flags,"
    "Fwd Header Len,Bwd Header Len,Fwd Pkts/s,Bwd Pkts/s,Pkt Len Min,"
    "Pkt Len Max,Pkt Len Mean,Pkt Len Std,Pkt Len Var,FIN Flag Cnt,"
    "SYN Flag Cnt,RST Flag Cnt,PSH Flag Cnt,ACK Flag Cnt,URG Flag Cnt,"
    "CWE Flag Count,ECE Flag Cnt,Down/Up Ratio,Pkt Size Avg,"
    "Fwd Seg Size Avg,Bwd Seg Size Avg,Fwd Byts/b Avg,Fwd Pkts/b Avg,"
    "Fwd Blk Rate Avg,Bwd Byts/b Avg,Bwd Pkts/b Avg,Bwd Blk Rate Avg,"
    "Subflow Fwd Pkts,Subflow Fwd Byts,Subflow Bwd Pkts,Subflow Bwd Byts,"
    "Init Fwd Win Byts,Init Bwd Win Byts,Fwd Act Data Pkts,Fwd Seg Size Min,"
    "Active Mean,Active Std,Active Max,Active Min,Idle Mean,Idle Std,"
    "Idle Max,Idle Min,Label").split(",")
EXTRAS = ["End Reason", "First Packet Time", "Last Packet Time",
          "ICMP Type", "ICMP Code", "Fwd RST Flags", "Bwd RST Flags"]

# Our column -> the fork's column name (engelen-fork.md D1).
FORK_NAME = dict(zip(OUR_COLUMNS[:84], (
    "Flow ID,Src IP,Src Port,Dst IP,Dst Port,Protocol,Timestamp,"
    "Flow Duration,Total Fwd Packet,Total Bwd packets,"
    "Total Length of Fwd Packet,Total Length of Bwd Packet,"
    "Fwd Packet Length Max,Fwd Packet Length Min,Fwd Packet Length Mean,"
    "Fwd Packet Length Std,Bwd Packet Length Max,Bwd Packet Length Min,"
    "Bwd Packet Length Mean,Bwd Packet Length Std,Flow Bytes/s,"
    "Flow Packets/s,Flow IAT Mean,Flow IAT Std,Flow IAT Max,Flow IAT Min,"
    "Fwd IAT Total,Fwd IAT Mean,Fwd IAT Std,Fwd IAT Max,Fwd IAT Min,"
    "Bwd IAT Total,Bwd IAT Mean,Bwd IAT Std,Bwd IAT Max,Bwd IAT Min,"
    "Fwd PSH Flags,Bwd PSH Flags,Fwd URG Flags,Bwd URG Flags,"
    "Fwd Header Length,Bwd Header Length,Fwd Packets/s,Bwd Packets/s,"
    "Packet Length Min,Packet Length Max,Packet Length Mean,"
    "Packet Length Std,Packet Length Variance,FIN Flag Count,"
    "SYN Flag Count,RST Flag Count,PSH Flag Count,ACK Flag Count,"
    "URG Flag Count,CWR Flag Count,ECE Flag Count,Down/Up Ratio,"
    "Average Packet Size,Fwd Segment Size Avg,Bwd Segment Size Avg,"
    "Fwd Bytes/Bulk Avg,Fwd Packet/Bulk Avg,Fwd Bulk Rate Avg,"
    "Bwd Bytes/Bulk Avg,Bwd Packet/Bulk Avg,Bwd Bulk Rate Avg,"
    "Subflow Fwd Packets,Subflow Fwd Bytes,Subflow Bwd Packets,"
    "Subflow Bwd Bytes,FWD Init Win Bytes,Bwd Init Win Bytes,"
    "Fwd Act Data Pkts,Fwd Seg Size Min,Active Mean,Active Std,Active Max,"
    "Active Min,Idle Mean,Idle Std,Idle Max,Idle Min,Label").split(",")))
for _name in EXTRAS[3:]:
    FORK_NAME[_name] = _name

# Compared in Match rows: Flow ID, Flow Duration .. Idle Min, the extras
# the fork also has.
COMPARED = (["Flow ID"] + OUR_COLUMNS[7:83] + EXTRAS[3:])
TEXT_COLUMNS = {"Flow ID"}
EXTRA_WORDS = "end_reason,times,icmp,rst"


# ---------------------------------------------------------------------------

def parse_time(text):
    """'2017-07-05 16:00:00[.f{1,6}]' (UTC, maybe '+'-signed) -> µs."""
    text = text.lstrip("+")
    whole, _, frac = text.partition(".")
    dt = datetime.datetime.strptime(whole, "%Y-%m-%d %H:%M:%S")
    dt = dt.replace(tzinfo=datetime.timezone.utc)
    return int(dt.timestamp()) * 1000000 + int((frac or "0").ljust(6, "0"))


def format_time(us):
    dt = datetime.datetime.fromtimestamp(us // 1000000,
                                         datetime.timezone.utc)
    return dt.strftime("%Y-%m-%d %H:%M:%S") + ".%06d" % (us % 1000000)


def row_name(row):
    """The name a row goes by in TABLE."""
    return (f"{row['Src IP']} {row['Src Port']} > {row['Dst IP']} "
            f"{row['Dst Port']} p{row['Protocol']} "
            f"{format_time(parse_time(row['Timestamp']))} "
            f"{int(float(row['Tot Fwd Pkts']))}+"
            f"{int(float(row['Tot Bwd Pkts']))}")


def read_csv(path):
    with open(path, encoding="ascii", errors="replace") as f:
        lines = f.read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    header = lines[0].split(",")
    return header, [line.split(",") for line in lines[1:]]


def read_ours(path):
    header, rows = read_csv(path)
    want = OUR_COLUMNS + EXTRAS
    if header != want:
        raise ValueError(f"{path}: header is not the 84 cic columns plus "
                         f"{', '.join(EXTRAS)}: {','.join(header)[:300]}")
    return [dict(zip(header, r)) for r in rows]


def read_fork(path):
    header, rows = read_csv(path)
    missing = [n for n in FORK_NAME.values() if n not in header]
    if missing or len(header) != 94:
        raise ValueError(f"{path}: not the fork's 94-column header "
                         f"(missing {missing})")
    index = {n: header.index(n) for n in FORK_NAME.values()}
    return [{ours: r[index[fork]] for ours, fork in FORK_NAME.items()}
            for r in rows]


def number(text):
    try:
        x = float(text)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def same(a, b):
    """Numbers as numbers (0 == 0.0, last-digit rounding tolerated)."""
    if isinstance(a, str) and isinstance(b, str) and a == b:
        return True
    x = a if isinstance(a, (int, float)) else number(a)
    y = b if isinstance(b, (int, float)) else number(b)
    if x is None or y is None:
        return False
    return x == y or abs(x - y) <= 1e-9 * max(abs(x), abs(y))


# ---------------------------------------------------------------------------

def check_match(entry, ours, fork, fail):
    for col in COMPARED:
        o, f = ours[col], fork[col]
        if col in entry.differ:
            want, why = entry.differ[col]
            if not same(o, want):
                fail(f"{col}: table says ours = {want} (differs from the "
                     f"fork's {f}: {why[:60]}...), cicflow wrote {o}")
            elif same(o, f):
                fail(f"{col}: table says ours differs from the fork "
                     f"({why[:60]}...), but both are {o}")
        elif not same(o, f):
            fail(f"{col}: table says ours agrees with the fork ({f}), "
                 f"cicflow wrote {o}")


def check_capture(name, ours, fork, problems):
    def fail(what, row=""):
        problems.append(f"{name}: {row + ': ' if row else ''}{what}")

    by_ours = collections.defaultdict(list)
    by_fork = collections.defaultdict(list)
    for r in ours:
        by_ours[row_name(r)].append(r)
    for r in fork:
        by_fork[row_name(r)].append(r)
    for entry in TABLE[name]:
        o = f = None
        if hasattr(entry, "ours"):
            if not by_ours.get(entry.ours):
                fail("table says cicflow writes this row; it does not",
                     entry.ours)
            else:
                o = by_ours[entry.ours].pop()
                if o["End Reason"] != entry.end:
                    fail(f"End Reason: table says {entry.end}, cicflow "
                         f"wrote {o['End Reason']}", entry.ours)
        if hasattr(entry, "fork"):
            if not by_fork.get(entry.fork):
                fail("table says the fork wrote this row; it did not",
                     entry.fork)
            else:
                f = by_fork[entry.fork].pop()
        if isinstance(entry, Match) and o is not None and f is not None:
            check_match(entry, o, f,
                        lambda what: fail(what, entry.ours))
    for key, rows in by_ours.items():
        for _ in rows:
            fail("cicflow wrote this row, which is not in the table "
                 "(behaviour changed?)", key)
    for key, rows in by_fork.items():
        for _ in rows:
            fail("the fork's row is not in the table", key)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cicflow", required=True)
    ap.add_argument("--corpus", required=True,
                    help="the shared corpus; its delta/ folder is used")
    args = ap.parse_args()
    folder = os.path.join(args.corpus, "delta")
    names = sorted(n for n in os.listdir(folder)
                   if os.path.isfile(os.path.join(folder, n))
                   and os.path.exists(os.path.join(folder, "engelen",
                                                   n + "_Flow.csv")))
    problems = []
    if set(names) != set(TABLE):
        problems.append(f"captures without a table entry: "
                        f"{sorted(set(names) - set(TABLE))}; table entries "
                        f"without a capture: {sorted(set(TABLE) - set(names))}")
    with tempfile.TemporaryDirectory() as out:
        cmd = [args.cicflow, "convert", "-q", "--profile", "corrected",
               "--extra-columns", EXTRA_WORDS, "-o", out]
        result = subprocess.run(cmd + [os.path.join(folder, n)
                                       for n in names],
                                capture_output=True, text=True,
                                errors="replace")
        if result.returncode != 0:
            problems.append(f"cicflow convert exit status "
                            f"{result.returncode}: {result.stderr[-800:]}")
        for marker in ("runtime error", "AddressSanitizer",
                       "LeakSanitizer", "UndefinedBehaviorSanitizer"):
            if marker in result.stderr:
                problems.append(f"sanitizer report: {result.stderr[-2000:]}")
                break
        for name in names:
            if name not in TABLE:
                continue
            ours_csv = os.path.join(out, name + "_Flow.csv")
            try:
                ours = read_ours(ours_csv)
                fork = read_fork(os.path.join(folder, "engelen",
                                              name + "_Flow.csv"))
            except (OSError, ValueError) as e:
                problems.append(f"{name}: {e}")
                continue
            before = len(problems)
            check_capture(name, ours, fork, problems)
            print(f"{name}: {'ok' if len(problems) == before else 'FAIL'}")
    for p in problems:
        print("FAIL " + p)
    matched = sum(isinstance(e, Match) for v in TABLE.values() for e in v)
    print(f"{len(names)} captures, {matched} rows paired with the fork, "
          f"{len(problems)} problems")
    return 1 if problems or not names else 0


if __name__ == "__main__":
    sys.exit(main())
