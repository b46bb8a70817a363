#!/usr/bin/python3
"""End-to-end tests of the REST gateway of `cicflow serve`, with curl.

  * every corpus capture that has an expected CSV, uploaded as
    multipart/form-data: the CSV inside the returned zip must equal
    expected/<name>_Flow.csv as a multiset of rows, and summary.txt must
    count its rows; damaged captures must carry X-Cicflow-Warning and the
    warning in summary.txt;
  * the query options: output=csv, label, time_zone (checked on the column
    they change), flow_timeout and activity_timeout (checked against the
    reference model run with the same timeouts); profile, columns,
    active_timeout, idle_timeout, teardown_grace, min_packets and
    extra_columns (checked against `cicflow convert` with the same
    options), and summary.txt's ignore counts against convert's --stats;
  * every error status with its JSON detail: 400, 404, 405, 413 (up front
    and while streaming), 415, 422, 500, 503 (busy, with Retry-After);
  * 16 uploads at once, all correct; uploads run in parallel; a client
    that disconnects mid-upload frees its worker;
  * the temporary directory is empty after each server.

Prints `N passed, N failed`; exits non-zero on failure.
"""
import argparse
import collections
import concurrent.futures
import datetime
import importlib.util
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

# No __pycache__ in the source tree.
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gwtest  # noqa: E402
from gwtest import curl, same_rows, zip_members  # noqa: E402

C = gwtest.Checks()

# Captures the service refuses, and what its message must say they are.
REFUSED = {
    "derived__garbage_random.pcap": "not a capture",
    "derived__truncated_file_header.pcap": "truncated dump file",
    "nfstream__results__ssh.pcap": "found text starting",
    "zeek__smtp__mime-header-size-limit.pcap.gz": "gzip-compressed",
    "FTPv6-1.cap": "first bytes are 47 4d 42 55",
}

CONCURRENT = 16

QUERY_PARAMETERS = ("profile", "columns", "flow_timeout", "active_timeout",
                    "activity_timeout", "idle_timeout", "teardown_grace",
                    "min_packets", "extra_columns", "label", "time_zone",
                    "output")
ENUMS = {"profile": ["cic", "corrected"],
         "columns": ["cicflowmeter", "cicids2017", "snake"],
         "extra_columns": ["end_reason", "times", "icmp", "rst", "all"],
         "output": ["zip", "csv"]}
IGNORE_REASONS = ("no_ipv4", "malformed", "link_type", "not_ip", "fragment",
                  "truncated")


def captures_with_expected(corpus):
    """(folder, name, path, expected CSV path) for every capture."""
    out = []
    for folder in sorted(os.listdir(corpus)):
        exp_dir = os.path.join(corpus, folder, "expected")
        if not os.path.isdir(exp_dir):
            continue
        for name in sorted(os.listdir(os.path.join(corpus, folder))):
            path = os.path.join(corpus, folder, name)
            expected = os.path.join(exp_dir, name + "_Flow.csv")
            if os.path.isfile(path) and os.path.isfile(expected):
                out.append((folder, name, path, expected))
    return out


def read(path):
    with open(path, "rb") as f:
        return f.read()


def upload(srv, path, work, query="", extra=(), filename=None):
    form = f"file=@{path}" + (f";filename={filename}" if filename else "")
    url = srv.url + "/process" + (("?" + query) if query else "")
    return curl(url, ["-F", form] + list(extra), work)


def zip_csv(reply, name):
    members = zip_members(reply.body)
    if members is None:
        return None, None
    return members.get(name + "_Flow.csv"), members


# -- static routes ---------------------------------------------------------

def check_pages(srv, work):
    r = curl(srv.url + "/healthz", [], work)
    C.check(r.status == 200 and r.json() == {"status": "ok"},
            "GET /healthz answers 200 {\"status\": \"ok\"}", r)
    r = curl(srv.url + "/healthz", ["-I"], work)
    C.check(r.status == 200 and b"{" not in r.body,
            "HEAD /healthz: 200, no body", r)
    r = curl(srv.url + "/docs", [], work)
    html = r.body.decode("utf-8", "replace")
    C.check(r.status == 200 and
            r.headers.get("content-type", "").startswith("text/html") and
            'type="file"' in html and "upload.onprogress" in html,
            "GET /docs: an HTML page with a file input and upload progress",
            r)
    external = [m for m in ("src=\"http", "href=\"http", "src='http",
                            "@import", "cdn") if m in html.lower()]
    C.check(not external, "/docs fetches nothing from elsewhere", external)
    check_openapi(srv, work)
    r = curl(srv.url + "/metrics", [], work)
    C.check(r.status == 200 and b"cicflow_calls_total" in r.body,
            "GET /metrics: Prometheus text", r)


def check_openapi(srv, work):
    r = curl(srv.url + "/openapi.json", [], work)
    doc = r.json()
    ok = r.status == 200 and isinstance(doc, dict)
    C.check(ok and str(doc.get("openapi", "")).startswith("3."),
            "GET /openapi.json: an OpenAPI 3 document", r)
    if not ok:
        return
    paths = doc.get("paths", {})
    C.check(set(paths) >= {"/process", "/docs", "/openapi.json", "/healthz",
                           "/metrics"},
            "OpenAPI lists every endpoint", sorted(paths))
    post = paths.get("/process", {}).get("post", {})
    params = {p.get("name"): p for p in post.get("parameters", [])}
    C.check(set(params) == set(QUERY_PARAMETERS),
            "OpenAPI: /process query parameters", sorted(params))
    C.check(all(p.get("in") == "query" and len(p.get("description", "")) > 20
                for p in params.values()),
            "OpenAPI: every parameter is described")
    enums = {name: (params.get(name, {}).get("schema", {}).get("items") or
                    params.get(name, {}).get("schema", {})).get("enum")
             for name in ENUMS}
    C.check(enums == ENUMS, "OpenAPI: enums of profile, columns, "
            "extra_columns and output", enums)
    body = post.get("requestBody", {}).get("content", {})
    schema = body.get("multipart/form-data", {}).get("schema", {})
    C.check(schema.get("properties", {}).get("file", {}).get("format") ==
            "binary" and schema.get("required") == ["file"],
            "OpenAPI: multipart body with a binary 'file'", schema)
    responses = post.get("responses", {})
    ok_types = set(responses.get("200", {}).get("content", {}))
    C.check(ok_types == {"application/zip", "text/csv"},
            "OpenAPI: 200 is application/zip or text/csv", ok_types)
    wanted = {"400", "405", "413", "415", "422", "500", "503", "504"}
    C.check(wanted <= set(responses), "OpenAPI: every error status listed",
            sorted(responses))
    refs = json.dumps(responses)
    C.check("#/components/schemas/Error" in refs and
            "Error" in doc.get("components", {}).get("schemas", {}),
            "OpenAPI: errors use the JSON Error schema")


def check_routing_errors(srv, work):
    r = curl(srv.url + "/nowhere", [], work)
    C.check(r.status == 404 and r.detail(), "unknown path: 404 with detail", r)
    r = curl(srv.url + "/process", [], work)
    C.check(r.status == 405 and r.headers.get("allow") == "POST" and
            r.detail(), "GET /process: 405, Allow: POST", r)
    r = curl(srv.url + "/healthz", ["-X", "POST", "-d", "x=1"], work)
    C.check(r.status == 405 and r.headers.get("allow") == "GET, HEAD",
            "POST /healthz: 405, Allow: GET, HEAD", r)


# -- corpus ----------------------------------------------------------------

def convert_status(cicflow, path, work):
    """Exit status of `cicflow convert` (4: damaged part-way)."""
    out = os.path.join(work, "convert")
    os.makedirs(out, exist_ok=True)
    rc = subprocess.run([cicflow, "convert", "-q", "-o", out, path],
                        stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL).returncode
    shutil.rmtree(out)
    return rc


def summary_values(text):
    """summary.txt as {name: value}; warnings as the list 'warning'."""
    out = {"warning": []}
    for line in text.decode("utf-8", "replace").splitlines():
        key, _, value = line.partition(": ")
        if key == "warning":
            out["warning"].append(value)
        else:
            out[key] = value
    return out


def check_one_capture(srv, cicflow, item, work):
    folder, name, path, expected = item
    r = upload(srv, path, work)
    what = f"{folder}/{name}"
    if not C.check(r.status == 200, f"{what}: 200", r):
        return
    C.check(r.headers.get("content-type") == "application/zip" and
            r.headers.get("content-disposition") ==
            f'attachment; filename="{name}.zip"' and
            r.headers.get("content-length") == str(len(r.body)),
            f"{what}: zip headers", r.headers)
    csv, members = zip_csv(r, name)
    why = "no CSV in the zip" if csv is None else same_rows(read(expected),
                                                            csv)
    C.check(why is None, f"{what}: CSV equals CICFlowMeter's", why)
    damaged = convert_status(cicflow, path, work) == 4
    warning = r.headers.get("x-cicflow-warning")
    summary = summary_values((members or {}).get("summary.txt", b""))
    rows = len(gwtest.csv_lines(csv)) - 1 if csv else -1
    C.check(summary.get("flows_written") == str(rows) and
            summary.get("profile") == "cic" and
            all(f"packets_ignored.{r}" in summary for r in IGNORE_REASONS),
            f"{what}: summary.txt counts the rows and every ignore reason",
            summary)
    if damaged:
        C.check(bool(warning) and warning.isascii() and
                warning.isprintable() and summary["warning"],
                f"{what}: damaged: X-Cicflow-Warning and summary.txt",
                (warning, summary["warning"]))
    else:
        C.check(warning is None and not summary["warning"],
                f"{what}: no warning", (warning, summary["warning"]))


def check_corpus(srv, cicflow, corpus, work):
    items = captures_with_expected(corpus)
    C.check(len(items) >= 100, "corpus: captures with expected CSVs found",
            len(items))
    for item in items:
        check_one_capture(srv, cicflow, item, work)
    for folder in ("real", "jnet"):
        for name, text in REFUSED.items():
            path = os.path.join(corpus, folder, name)
            if not os.path.exists(path):
                continue
            r = upload(srv, path, work)
            C.check(r.status == 422 and text in (r.detail() or ""),
                    f"{folder}/{name}: 422 saying '{text}'", r)


# -- options ---------------------------------------------------------------

def load_model(path):
    spec = importlib.util.spec_from_file_location("cicflow_model", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def model_csv(model, capture, out, flow_s, activity_s):
    """The reference model's CSV with other timeouts (it reads them from
    module constants at run time)."""
    saved = model.FLOW_TIMEOUT, model.ACTIVITY_TIMEOUT
    model.FLOW_TIMEOUT = round(flow_s * 1e6)
    model.ACTIVITY_TIMEOUT = round(activity_s * 1e6)
    try:
        model.run(capture, out, "UTC")
    finally:
        model.FLOW_TIMEOUT, model.ACTIVITY_TIMEOUT = saved
    return read(out)


def rows_without(data, column):
    """CSV lines with one column blanked, as a multiset."""
    out = collections.Counter()
    for line in gwtest.csv_lines(data)[1:]:
        cells = line.split(b",")
        cells[column] = b""
        out[b",".join(cells)] += 1
    return out


def column(data, index):
    return [l.split(b",")[index] for l in gwtest.csv_lines(data)[1:]]


def check_options(srv, corpus, model, work):
    base = os.path.join(corpus, "delta", "d13-subflow-active-idle.pcap")
    name = os.path.basename(base)
    expected = read(os.path.join(corpus, "delta", "expected",
                                 name + "_Flow.csv"))
    r = upload(srv, base, work, "output=csv")
    C.check(r.status == 200 and r.headers.get("content-type") == "text/csv"
            and r.headers.get("content-disposition") ==
            f'attachment; filename="{name}_Flow.csv"' and
            same_rows(expected, r.body) is None,
            "output=csv: text/csv named <name>_Flow.csv, CICFlowMeter's rows",
            r.headers)
    r = upload(srv, base, work, "profile=cic&output=zip&time_zone=UTC")
    csv, _ = zip_csv(r, name)
    C.check(r.status == 200 and csv is not None and
            same_rows(expected, csv) is None,
            "profile=cic, output=zip, time_zone=UTC: the defaults' rows", r)
    check_label(srv, base, name, expected, work)
    check_time_zone(srv, base, name, expected, work)
    for cap, flow_s, act_s in (("delta/d08-tcp-timeout.pcap", 10, 5),
                               ("delta/d13-subflow-active-idle.pcap", 2.5,
                                0.5),
                               ("delta/d09-udp-timeout.pcap", 30, 1.25),
                               ("real/ndpi__reddit.pcap", 7.5, 0.25)):
        check_timeouts(srv, corpus, model, cap, flow_s, act_s, work)


# (capture, query, the same options for `cicflow convert`)
NEW_OPTION_CASES = [
    ("delta/d01-fin-teardown.pcap", "columns=cicids2017",
     ["--columns", "cicids2017"]),
    ("delta/d10-icmp.pcap", "columns=snake&extra_columns=all",
     ["--columns", "snake", "--extra-columns", "all"]),
    ("delta/d03-rst.pcap", "extra_columns=rst,end_reason&output=csv",
     ["--extra-columns", "end_reason,rst"]),
    ("delta/d08-tcp-timeout.pcap", "active_timeout=10",
     ["--active-timeout", "10"]),
    ("real/ndpi__reddit.pcap", "min_packets=3", ["--min-packets", "3"]),
    ("delta/d07-single-packet.pcap", "profile=corrected",
     ["--profile", "corrected"]),
    ("delta/d10-icmp.pcap",
     "profile=corrected&columns=cicids2017&extra_columns=icmp,times",
     ["--profile", "corrected", "--columns", "cicids2017",
      "--extra-columns", "times,icmp"]),
    ("delta/d05-half-close.pcap",
     "profile=corrected&teardown_grace=0.001&extra_columns=end_reason",
     ["--profile", "corrected", "--teardown-grace", "0.001",
      "--extra-columns", "end_reason"]),
    ("real/ndpi__reddit.pcap",
     "profile=corrected&active_timeout=7.5&idle_timeout=1.5&min_packets=2"
     "&output=csv",
     ["--profile", "corrected", "--active-timeout", "7.5", "--idle-timeout",
      "1.5", "--min-packets", "2"]),
]


def convert_run(cicflow, path, options, work):
    """`cicflow convert --stats` with options: (CSV bytes, stats)."""
    out = os.path.join(work, "convert-options")
    shutil.rmtree(out, ignore_errors=True)
    res = subprocess.run([cicflow, "convert", "-q", "--stats", "-o", out] +
                         options + [path], capture_output=True, text=True)
    stats = {}
    for line in res.stderr.splitlines():
        if line.startswith("stats "):
            stats = dict(kv.split("=", 1) for kv in line.split()[1:])
    csv = read(os.path.join(out, os.path.basename(path) + "_Flow.csv"))
    shutil.rmtree(out)
    return csv, stats


def rest_csv(r, name):
    """The CSV of a reply, zipped or not, and summary.txt's values."""
    if r.headers.get("content-type") == "text/csv":
        return r.body, {}
    csv, members = zip_csv(r, name)
    return csv, summary_values((members or {}).get("summary.txt", b""))


def check_new_options(srv, cicflow, corpus, work):
    """Each new parameter reaches the handler: the rows equal convert's
    with the same options, and differ from the defaults' rows."""
    for cap, query, options in NEW_OPTION_CASES:
        path = os.path.join(corpus, cap)
        name = os.path.basename(cap)
        want, _ = convert_run(cicflow, path, options, work)
        default, _ = convert_run(cicflow, path, [], work)
        r = upload(srv, path, work, query)
        csv, _ = rest_csv(r, name)
        why = "no CSV" if csv is None else same_rows(want, csv)
        C.check(r.status == 200 and why is None,
                f"{cap}?{query}: convert's rows for {' '.join(options)}",
                why or r)
        C.check(same_rows(default, want) is not None,
                f"{cap}?{query}: differ from the defaults' rows")
    check_dialect_headers(srv, corpus, work)
    check_single_packet_flows(srv, corpus, work)


def check_dialect_headers(srv, corpus, work):
    path = os.path.join(corpus, "delta", "d01-fin-teardown.pcap")
    r = upload(srv, path, work, "columns=cicids2017&output=csv")
    head = gwtest.csv_lines(r.body)[0].decode() if r.status == 200 else ""
    names = head.split(",")
    C.check(len(names) == 85 and names[1] == " Source IP" and
            [n.strip() for n in names].count("Fwd Header Length") == 2 and
            all(len(l.split(b",")) == 85
                for l in gwtest.csv_lines(r.body)[1:]),
            "columns=cicids2017: 85 columns, leading spaces, Fwd Header "
            "Length twice", head[:120])
    r = upload(srv, path, work, "columns=snake&extra_columns=all&output=csv")
    head = gwtest.csv_lines(r.body)[0].decode() if r.status == 200 else ""
    names = head.split(",")
    C.check(len(names) == 91 and names[:2] == ["flow_id", "src_ip"] and
            head == head.lower() and " " not in head,
            "columns=snake&extra_columns=all: 84 snake_case names and 7 "
            "extra", head[-160:])
    r = upload(srv, path, work, "extra_columns=all&output=csv")
    head = gwtest.csv_lines(r.body)[0].decode() if r.status == 200 else ""
    C.check(head.split(",")[83:] ==
            ["Label", "End Reason", "First Packet Time", "Last Packet Time",
             "ICMP Type", "ICMP Code", "Fwd RST Flags", "Bwd RST Flags"],
            "extra_columns=all: seven columns after Label, in order",
            head.split(",")[83:])


def check_single_packet_flows(srv, corpus, work):
    """cic drops d07's one-packet flows and says so in summary.txt;
    corrected writes them."""
    path = os.path.join(corpus, "delta", "d07-single-packet.pcap")
    name = os.path.basename(path)
    for query, rows, dropped in (("", 0, "5"), ("profile=corrected", 5, "0")):
        r = upload(srv, path, work, query)
        csv, summary = rest_csv(r, name)
        got = len(gwtest.csv_lines(csv)) - 1 if csv else None
        C.check(r.status == 200 and got == rows and
                summary.get("flows_dropped_single") == dropped and
                summary.get("packets_in_dropped_flows") == dropped,
                f"d07-single-packet ?{query}: {rows} rows, summary.txt "
                f"flows_dropped_single {dropped}", (got, summary))


def check_summary_counts(srv, cicflow, corpus, work):
    """summary.txt's ignore, out-of-order and drop counts equal
    convert's --stats for captures that have some, in both profiles."""
    for cap in ("edge/nonip-ipv6.pcap", "edge/ipfrag.pcap",
                "edge/tcp-sll.pcap", "delta/d13-subflow-active-idle.pcap"):
        path = os.path.join(corpus, cap)
        for profile in ("cic", "corrected"):
            _, stats = convert_run(cicflow, path, ["--profile", profile],
                                   work)
            r = upload(srv, path, work, f"profile={profile}")
            _, summary = rest_csv(r, os.path.basename(cap))
            pairs = [(f"packets_ignored.{x}", f"ignored_{x}")
                     for x in IGNORE_REASONS]
            pairs += [(k, k) for k in ("packets_read", "packets_used",
                                       "packets_out_of_order",
                                       "flows_written",
                                       "flows_dropped_single",
                                       "packets_in_dropped_flows")]
            bad = {k: (summary.get(k), stats.get(v)) for k, v in pairs
                   if summary.get(k) != stats.get(v)}
            C.check(r.status == 200 and stats and not bad and
                    summary.get("profile") == profile,
                    f"{cap} profile={profile}: summary.txt counts equal "
                    "convert's --stats", bad or r)


def check_timeouts(srv, corpus, model, cap, flow_s, act_s, work):
    """Rows as the model makes them with these timeouts, and different
    from the default timeouts' rows (so the options did reach the
    handler)."""
    path = os.path.join(corpus, cap)
    folder, name = os.path.split(cap)
    want = model_csv(model, path, os.path.join(work, "model.csv"), flow_s,
                     act_s)
    default = read(os.path.join(corpus, folder, "expected",
                                name + "_Flow.csv"))
    r = upload(srv, path, work,
               f"flow_timeout={flow_s}&activity_timeout={act_s}")
    csv, _ = zip_csv(r, name)
    why = "no CSV" if csv is None else same_rows(want, csv)
    what = f"{cap} flow_timeout={flow_s} activity_timeout={act_s}"
    C.check(r.status == 200 and why is None, f"{what}: the model's rows",
            why or r)
    C.check(same_rows(default, want) is not None,
            f"{what}: differ from the default timeouts' rows")


def check_label(srv, base, name, expected, work):
    r = upload(srv, base, work, "label=port%20scan")
    csv, _ = zip_csv(r, name)
    ok = r.status == 200 and csv is not None
    C.check(ok and set(column(csv, -1)) == {b"port scan"},
            "label=port scan: every Label is 'port scan'", r)
    C.check(ok and rows_without(csv, -1) == rows_without(expected, -1),
            "label: the other columns are unchanged")


def shifted(stamp, hours):
    fmt = "%d/%m/%Y %I:%M:%S %p"
    t = datetime.datetime.strptime(stamp.decode(), fmt)
    return (t + datetime.timedelta(hours=hours)).strftime(fmt).encode()


def check_time_zone(srv, base, name, expected, work):
    r = upload(srv, base, work, "time_zone=%2B05:30")
    csv, _ = zip_csv(r, name)
    ok = r.status == 200 and csv is not None
    want = sorted(shifted(s, 5.5) for s in column(expected, 6))
    C.check(ok and sorted(column(csv, 6)) == want,
            "time_zone=+05:30: Timestamps move by 5:30", r)
    C.check(ok and rows_without(csv, 6) == rows_without(expected, 6),
            "time_zone: the other columns are unchanged")


# -- errors ----------------------------------------------------------------

def expect_error(reply, status, text, what):
    detail = reply.detail()
    ok = (reply.status == status and
          reply.headers.get("content-type") == "application/json" and
          detail is not None and text.lower() in detail.lower())
    return C.check(ok, f"{what}: {status} with detail '{text}'", reply)


def check_request_errors(srv, corpus, work):
    cap = os.path.join(corpus, "edge", "bursts.pcap")
    url = srv.url + "/process"
    r = curl(url, ["--data-binary", f"@{cap}", "-H",
                   "Content-Type: application/octet-stream"], work)
    expect_error(r, 415, "multipart/form-data", "raw body")
    r = curl(url, ["--data-binary", f"@{cap}", "-H", "Content-Type:"], work)
    expect_error(r, 415, "multipart/form-data", "no Content-Type")
    r = curl(url, ["--data-binary", "x", "-H",
                   "Content-Type: multipart/form-data"], work)
    expect_error(r, 400, "boundary", "multipart without boundary")
    r = curl(url, ["-F", f"capture=@{cap}"], work)
    expect_error(r, 400, "no field named 'file'", "form without 'file'")
    r = curl(url, ["-F", "note=hello"], work)
    expect_error(r, 400, "no field named 'file'", "form with text only")
    r = curl(url, ["-F", f"file=@{cap}", "-F", f"file=@{cap}"], work)
    expect_error(r, 400, "more than one 'file'", "two 'file' fields")
    body = (b"--XyZ\r\nContent-Disposition: form-data; name=\"file\"; "
            b"filename=\"a.pcap\"\r\n\r\n" + read(cap)[:500])
    r = curl_file(url, body, work, "multipart/form-data; boundary=XyZ")
    expect_error(r, 400, "closing boundary", "multipart cut short")
    for query, text in (("flow_timeout=abc", "flow_timeout must be"),
                        ("flow_timeout=0", "flow_timeout must be"),
                        ("activity_timeout=1.1234567",
                         "activity_timeout must be"),
                        ("output=flows", "output must be zip or csv"),
                        ("profile=nprint", "profile must be cic or corrected"),
                        ("profile=CIC", "profile must be cic or corrected"),
                        ("columns=cicids2018",
                         "columns must be cicflowmeter, cicids2017 or snake"),
                        ("extra_columns=times,flags",
                         "extra_columns must be a comma-separated list of "
                         "end_reason, times, icmp, rst or all"),
                        ("extra_columns=rst,,icmp", "extra_columns must be"),
                        ("min_packets=0", "min_packets must be a whole "
                         "number from 1 to 4294967295"),
                        ("min_packets=2.5", "min_packets must be"),
                        ("active_timeout=-1", "active_timeout must be"),
                        ("flow_timeout=5&active_timeout=5",
                         "flow_timeout and active_timeout are the same"),
                        ("idle_timeout=0&profile=corrected",
                         "idle_timeout must be"),
                        ("teardown_grace=x&profile=corrected",
                         "teardown_grace must be"),
                        ("idle_timeout=30",
                         "idle_timeout needs profile=corrected"),
                        ("profile=cic&teardown_grace=1",
                         "teardown_grace needs profile=corrected"),
                        ("label=a&label=b", "given twice"),
                        ("label=" + "x" * 200, "limit is 127"),
                        ("flow_timout=5", "unknown query parameter"),
                        ("time_zone=Mars%2FOlympus", "invalid options"),
                        ("label=a%2Cb", "invalid options")):
        r = upload(srv, cap, work, query)
        expect_error(r, 400, text, f"?{query}")
    r = upload(srv, cap, work, "a%22b%5Cc%0Ad=1")
    C.check(r.status == 400 and 'a"b\\c\nd' in (r.detail() or ""),
            "a detail with quotes, backslash and newline is valid JSON", r)
    r = upload(srv, "/etc/hostname", work)
    expect_error(r, 422, "not a capture", "a text file")
    empty = os.path.join(work, "empty.pcap")
    open(empty, "wb").close()
    r = upload(srv, empty, work)
    expect_error(r, 422, "", "an empty file")
    r = upload(srv, cap, work, filename='we"ird\\..;name\r.pcap')
    disp = r.headers.get("content-disposition", "")
    C.check(r.status == 200 and disp.startswith('attachment; filename="')
            and disp.count('"') == 2 and
            all(c.isalnum() or c in '._+-' for c in disp[22:-1]),
            "an odd upload name gives a safe Content-Disposition", disp)


def curl_file(url, body, work, content_type):
    """POSTs body as it is, with the given Content-Type."""
    path = os.path.join(work, "raw.body")
    with open(path, "wb") as f:
        f.write(body)
    return curl(url, ["--data-binary", f"@{path}", "-H",
                      f"Content-Type: {content_type}"], work)


def check_size_limit(cicflow, corpus, work):
    tmp = os.path.join(work, "spool-limit")
    os.makedirs(tmp)
    big = os.path.join(corpus, "real", "ndpi__netflix.pcap")
    small = os.path.join(corpus, "edge", "bursts.pcap")
    limit = 200000
    with gwtest.Server(cicflow, tmp, os.path.join(work, "limit.log"),
                       ["--max-upload-bytes", str(limit)]) as srv:
        r = upload(srv, big, work)
        expect_error(r, 413, "bytes is larger than the limit",
                     "Content-Length over "
                     "the limit, refused up front")
        r = upload(srv, big, work, extra=["-H", "Transfer-Encoding: chunked"])
        expect_error(r, 413, f"larger than the limit of {limit}",
                     "chunked upload over the limit, found while streaming")
        C.check(r.curl_rc == 0, "the client could send its whole upload "
                "before the 413", r.stderr)
        r = upload(srv, small, work, extra=["-H",
                                            "Transfer-Encoding: chunked"])
        C.check(r.status == 200, "a chunked upload under the limit: 200", r)
    C.check(gwtest.tmp_files(tmp) == [], "size limit: tmp dir empty",
            gwtest.tmp_files(tmp))


def check_internal_error(cicflow, corpus, work):
    """A spool directory that vanished makes the handler fail: 500."""
    tmp = os.path.join(work, "spool-gone")
    os.makedirs(tmp)
    cap = os.path.join(corpus, "edge", "bursts.pcap")
    with gwtest.Server(cicflow, tmp, os.path.join(work, "gone.log")) as srv:
        os.rmdir(tmp)
        r = upload(srv, cap, work)
        expect_error(r, 500, "temporary file", "spool directory gone")
        os.makedirs(tmp)
        r = upload(srv, cap, work)
        C.check(r.status == 200, "spool directory back: 200", r)


# -- held uploads: busy, parallel, disconnect ----------------------------

class HeldUpload:
    """A raw-socket upload that sends its headers and the first bytes of
    a capture, then waits: its call holds a worker until closed."""

    BOUNDARY = "gwheld0123456789"

    def __init__(self, address, capture, first=65536):
        host, port = address.rsplit(":", 1)
        data = read(capture)
        head = (f"--{self.BOUNDARY}\r\nContent-Disposition: form-data; "
                f"name=\"file\"; filename=\"held.pcap\"\r\n"
                "Content-Type: application/octet-stream\r\n\r\n").encode()
        tail = f"\r\n--{self.BOUNDARY}--\r\n".encode()
        length = len(head) + len(data) + len(tail)
        request = (f"POST /process HTTP/1.1\r\nHost: {address}\r\n"
                   "Content-Type: multipart/form-data; "
                   f"boundary={self.BOUNDARY}\r\n"
                   f"Content-Length: {length}\r\n\r\n").encode()
        self.sock = socket.create_connection((host, int(port)), timeout=10)
        self.sock.sendall(request + head + data[:first])

    def close(self):
        self.sock.close()


def gw_lines(srv, needle):
    return [l for l in srv.request_lines() if needle in l]


def running_calls(srv):
    """cicflow_calls_running from /metrics."""
    r = curl(srv.url + "/metrics", [], None, tag="metrics")
    for line in r.body.decode("utf-8", "replace").splitlines():
        if line.startswith("cicflow_calls_running "):
            return int(float(line.split()[1]))
    return -1


def check_busy_parallel_disconnect(cicflow, corpus, work):
    tmp = os.path.join(work, "spool-busy")
    os.makedirs(tmp)
    cap = os.path.join(corpus, "real", "ndpi__netflix.pcap")
    small = os.path.join(corpus, "edge", "bursts.pcap")
    with gwtest.Server(cicflow, tmp, os.path.join(work, "busy.log"),
                       ["--workers", "2", "--queue-length", "0"]) as srv:
        first = HeldUpload(srv.http, cap)
        C.check(gwtest.wait_until(lambda: running_calls(srv) == 1),
                "a held upload occupies a worker")
        r = upload(srv, small, work)
        C.check(r.status == 200, "one worker held, another upload runs "
                "alongside it (no one-at-a-time lock)", r)
        gwtest.wait_until(lambda: running_calls(srv) == 1)
        second = HeldUpload(srv.http, cap)
        C.check(gwtest.wait_until(lambda: running_calls(srv) == 2),
                "a second held upload occupies the other worker")
        r = upload(srv, small, work)
        expect_error(r, 503, "busy", "every worker busy, no queue")
        C.check(r.headers.get("retry-after") == "5", "503 has Retry-After: 5",
                r.headers)
        first.close()
        second.close()
        gone = gwtest.wait_until(
            lambda: len(gw_lines(srv, "status=499")) >= 2, 10)
        C.check(gone, "clients gone mid-upload are logged with status=499",
                srv.request_lines()[-3:])
        C.check(gwtest.wait_until(lambda: running_calls(srv) == 0, 10),
                "their calls were cancelled: no call running")
        r = upload(srv, small, work)
        C.check(r.status == 200, "the workers take uploads again", r)
        C.check(gwtest.wait_until(lambda: not gwtest.tmp_files(tmp)),
                "no spool file left by the cancelled calls",
                gwtest.tmp_files(tmp))
    C.check(gwtest.tmp_files(tmp) == [], "busy: tmp dir empty")


def check_idle_timeout(cicflow, corpus, work):
    """A client silent mid-upload is dropped after --idle-timeout."""
    tmp = os.path.join(work, "spool-idle")
    os.makedirs(tmp)
    cap = os.path.join(corpus, "real", "ndpi__netflix.pcap")
    with gwtest.Server(cicflow, tmp, os.path.join(work, "idle.log"),
                       ["--idle-timeout", "1"]) as srv:
        held = HeldUpload(srv.http, cap)
        dropped = gwtest.wait_until(
            lambda: gw_lines(srv, "end=timeout"), 10)
        C.check(dropped and "status=499" in dropped[0],
                "a silent client is dropped after --idle-timeout",
                srv.request_lines())
        C.check(gwtest.wait_until(lambda: running_calls(srv) == 0, 10),
                "its call was cancelled")
        held.close()
    C.check(gwtest.tmp_files(tmp) == [], "idle: tmp dir empty")


def check_shutdown_refuses(cicflow, work):
    """After SIGTERM, new connections are refused at once."""
    tmp = os.path.join(work, "spool-stop")
    os.makedirs(tmp)
    srv = gwtest.Server(cicflow, tmp, os.path.join(work, "stop.log"),
                        ["--grace-period", "3"]).start()
    host, port = srv.http.rsplit(":", 1)
    held = socket.create_connection((host, int(port)))
    held.sendall(b"POST /process HTTP/1.1\r\nHost: x\r\n"
                 b"Content-Type: multipart/form-data; boundary=b\r\n"
                 b"Content-Length: 100000\r\n\r\n--b\r\n")
    time.sleep(0.3)
    srv.proc.send_signal(signal.SIGTERM)
    gwtest.wait_until(lambda: any("event=shutdown" in l for l in srv.lines))
    r = curl(srv.url + "/healthz", ["--max-time", "5"], work)
    C.check(r.status == 0 and r.curl_rc == 7,
            "after SIGTERM a new connection is refused", (r.curl_rc,
                                                          r.stderr))
    held.close()
    C.check(srv.stop() == 0, "and the server exits 0")


# -- concurrency -----------------------------------------------------------

def check_concurrent(srv, corpus, work):
    items = [i for i in captures_with_expected(corpus)
             if i[0] in ("real", "jnet")]
    items.sort(key=lambda i: -os.path.getsize(i[2]))
    chosen = items[:CONCURRENT]

    def one(item):
        folder, name, path, expected = item
        sub = os.path.join(work, f"c-{name}")
        os.makedirs(sub, exist_ok=True)
        r = upload(srv, path, sub)
        csv, _ = zip_csv(r, name)
        if r.status != 200 or csv is None:
            return f"{name}: {r}"
        return same_rows(read(expected), csv)

    start = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(CONCURRENT) as pool:
        results = list(pool.map(one, chosen))
    took = time.monotonic() - start
    bad = [r for r in results if r is not None]
    C.check(len(chosen) == CONCURRENT and not bad,
            f"{CONCURRENT} concurrent uploads all correct "
            f"({took:.1f} s)", bad)


def check_log_lines(srv):
    lines = gw_lines(srv, "method=POST path=/process")
    good = [l for l in lines if " status=200 " in l and " bytes_in=" in l
            and " ms=" in l and " peer=127.0.0.1:" in l]
    C.check(bool(good), "one log line per request with method, path, peer, "
            "status, bytes_in, ms", lines[:1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cicflow", required=True)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--model", required=True)
    args = ap.parse_args()
    model = load_model(args.model)
    with tempfile.TemporaryDirectory(prefix="gw-rest-") as work:
        tmp = os.path.join(work, "spool")
        os.makedirs(tmp)
        srv = gwtest.Server(args.cicflow, tmp,
                            os.path.join(work, "server.log"),
                            ["--workers", "4", "--queue-length", "16"])
        with srv:
            check_pages(srv, work)
            check_routing_errors(srv, work)
            check_request_errors(srv, args.corpus, work)
            check_options(srv, args.corpus, model, work)
            check_new_options(srv, args.cicflow, args.corpus, work)
            check_summary_counts(srv, args.cicflow, args.corpus, work)
            check_corpus(srv, args.cicflow, args.corpus, work)
            check_concurrent(srv, args.corpus, work)
            check_log_lines(srv)
            C.check(gwtest.wait_until(lambda: not gwtest.tmp_files(tmp)),
                    "tmp dir empty while the server runs",
                    gwtest.tmp_files(tmp))
        C.check(srv.proc.returncode == 0, "server exits 0 on SIGTERM",
                srv.proc.returncode)
        C.check(gwtest.tmp_files(tmp) == [], "tmp dir empty after the server")
        check_size_limit(args.cicflow, args.corpus, work)
        check_internal_error(args.cicflow, args.corpus, work)
        check_busy_parallel_disconnect(args.cicflow, args.corpus, work)
        check_idle_timeout(args.cicflow, args.corpus, work)
        check_shutdown_refuses(args.cicflow, work)
        if C.failed:
            for name in ("server.log", "limit.log", "busy.log", "idle.log",
                         "stop.log"):
                path = os.path.join(work, name)
                if os.path.exists(path):
                    print(f"--- last lines of {name}")
                    print("".join(open(path).readlines()[-15:]))
    return C.finish()


if __name__ == "__main__":
    sys.exit(main())
