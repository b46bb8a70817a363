/* SPDX-License-Identifier: MIT */
/* The one monotonic clock that durations, deadlines and rates use. */
#ifndef RPC_CLOCK_H
#define RPC_CLOCK_H

/* rpc_clock_seconds: monotonic seconds, for intervals only. */
double rpc_clock_seconds(void);

#endif /* RPC_CLOCK_H */
