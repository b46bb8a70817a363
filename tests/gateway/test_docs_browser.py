#!/usr/bin/python3
"""The /docs page driven in headless Chromium, as a person would use it.

Picks a corpus capture in the page's file input, sets options, presses
upload, and checks what the page shows and hands over: the upload
progress bar, the zip (read back from the page as bytes, and the file the
browser saved in its download directory) holding CICFlowMeter's CSV for
the capture, the label option applied; then the profile, column names,
idle timeout and extra columns picked in the page, whose CSV must equal
`cicflow convert`'s with the same options; then a file that is not a
capture, whose JSON detail the page must show. Chromium is driven through its
DevTools protocol (cdp.py), with a new empty profile directory.

Prints `N passed, N failed`; exits non-zero on failure, 77 (skipped) when
no Chromium is installed.
"""
import argparse
import base64
import collections
import os
import subprocess
import sys
import tempfile
import time

# No __pycache__ in the source tree.
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cdp  # noqa: E402
import gwtest  # noqa: E402

C = gwtest.Checks()
SKIPPED = 77

READ_BYTES = """(async () => {
  const r = window.cicflowLastResult;
  const buf = new Uint8Array(await r.blob.arrayBuffer());
  let s = '';
  for (let i = 0; i < buf.length; i += 0x8000) {
    s += String.fromCharCode.apply(null, buf.subarray(i, i + 0x8000));
  }
  return btoa(s);
})()"""


def wait_state(page, timeout=120):
    end = time.monotonic() + timeout
    state = None
    while time.monotonic() < end:
        state = page.evaluate("document.getElementById('result')"
                              ".dataset.state")
        if state in ("done", "error"):
            return state
        time.sleep(0.2)
    return state


def relabelled(csv, label):
    """CSV rows with the Label column set to label, as a multiset."""
    out = collections.Counter()
    for line in gwtest.csv_lines(csv)[1:]:
        cells = line.split(b",")
        cells[-1] = label
        out[b",".join(cells)] += 1
    return out


def upload_capture(page, srv, capture, expected_csv, downloads):
    name = os.path.basename(capture)
    page.navigate(srv.url + "/docs")
    C.check(page.evaluate("document.title").startswith("cicflow"),
            "/docs loads in Chromium")
    page.set_files("#file", [capture])
    page.evaluate("document.getElementById('label').value = 'from browser';"
                  "document.getElementById('output').value = 'zip';")
    page.evaluate("document.getElementById('upload').click()")
    state = wait_state(page)
    if not C.check(state == "done", "the upload finishes with a result",
                   page.evaluate("document.getElementById('error')"
                                 ".textContent")):
        return
    info = page.evaluate("(() => { const r = window.cicflowLastResult;"
                         " return {status: r.status, name: r.fileName,"
                         " size: r.blob.size,"
                         " bar: document.getElementById('progress').value,"
                         " events: Number(document.getElementById('result')"
                         ".dataset.progressEvents),"
                         " link: document.getElementById('download')"
                         ".hidden}; })()")
    C.check(info["status"] == 200 and info["name"] == name + ".zip",
            "the page got 200 and the zip's name from Content-Disposition",
            info)
    C.check(info["events"] >= 1 and info["bar"] == 100 and
            info["link"] is False,
            "upload progress events seen, bar full, save link shown", info)
    data = base64.b64decode(page.evaluate(READ_BYTES))
    members = gwtest.zip_members(data)
    csv = (members or {}).get(name + "_Flow.csv")
    C.check(csv is not None and len(data) == info["size"],
            "the page holds the zip with the CSV", sorted(members or {}))
    if csv is not None:
        with open(expected_csv, "rb") as f:
            expected = f.read()
        C.check(relabelled(expected, b"from browser") ==
                relabelled(csv, b"from browser") and
                set(l.split(b",")[-1] for l in
                    gwtest.csv_lines(csv)[1:]) == {b"from browser"},
                "the CSV is CICFlowMeter's, with the label asked for")
    saved = os.path.join(downloads, name + ".zip")
    C.check(gwtest.wait_until(lambda: os.path.exists(saved) and
                              os.path.getsize(saved) == len(data), 20),
            "the browser saved the zip in its download directory",
            os.listdir(downloads))
    if os.path.exists(saved):
        with open(saved, "rb") as f:
            C.check(f.read() == data, "the saved zip is the same bytes")


PICK_OPTIONS = """(() => {
  const $ = (id) => document.getElementById(id);
  const before = $('idle_timeout').disabled;
  $('profile').value = 'corrected';
  $('profile').dispatchEvent(new Event('change'));
  $('columns').value = 'snake';
  $('idle_timeout').value = '30';
  for (const box of $('extra_columns').querySelectorAll('input')) {
    box.checked = box.value === 'end_reason' || box.value === 'rst';
  }
  $('output').value = 'csv';
  return {before: before, after: $('idle_timeout').disabled};
})()"""


def convert_csv(cicflow, capture, options, work):
    out = os.path.join(work, "convert")
    subprocess.run([cicflow, "convert", "-q", "-o", out] + options +
                   [capture], check=True)
    with open(os.path.join(out, os.path.basename(capture) + "_Flow.csv"),
              "rb") as f:
        return f.read()


def upload_with_options(page, srv, cicflow, capture, work):
    """The corrected profile, snake names, an idle timeout and two extra
    columns picked in the page give convert's CSV for the same options;
    the idle timeout can only be typed once corrected is picked."""
    page.navigate(srv.url + "/docs")
    page.set_files("#file", [capture])
    toggled = page.evaluate(PICK_OPTIONS)
    C.check(toggled == {"before": True, "after": False},
            "idle timeout is enabled only with the corrected profile",
            toggled)
    page.evaluate("document.getElementById('upload').click()")
    if not C.check(wait_state(page) == "done", "upload with new options",
                   page.evaluate("document.getElementById('error')"
                                 ".textContent")):
        return
    csv = base64.b64decode(page.evaluate(READ_BYTES))
    want = convert_csv(cicflow, capture,
                       ["--profile", "corrected", "--columns", "snake",
                        "--idle-timeout", "30", "--extra-columns",
                        "end_reason,rst"], work)
    C.check(gwtest.same_rows(want, csv) is None and
            csv.startswith(b"flow_id,src_ip,") and
            len(gwtest.csv_lines(csv)) > 1,
            "page options reach the server: convert's CSV for "
            "--profile corrected --columns snake --extra-columns "
            "end_reason,rst", gwtest.same_rows(want, csv))


def upload_non_capture(page, srv, path):
    page.navigate(srv.url + "/docs")
    page.set_files("#file", [path])
    page.evaluate("document.getElementById('upload').click()")
    state = wait_state(page)
    text = page.evaluate("document.getElementById('error').textContent")
    shown = page.evaluate("!document.getElementById('error').hidden")
    C.check(state == "error" and shown and "422" in text and
            "not a capture" in text,
            "a file that is not a capture: the page shows 422 and the detail",
            text)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cicflow", required=True)
    ap.add_argument("--chromium", default="")
    ap.add_argument("--corpus", required=True)
    args = ap.parse_args()
    if not args.chromium or not os.access(args.chromium, os.X_OK):
        print("chromium not found: skipped")
        return SKIPPED
    # Chromium reads the picked file by path; give it one without "..".
    corpus = os.path.realpath(args.corpus)
    capture = os.path.join(corpus, "real", "ndpi__netflix.pcap")
    expected = os.path.join(corpus, "real", "expected",
                            "ndpi__netflix.pcap_Flow.csv")
    with tempfile.TemporaryDirectory(prefix="gw-browser-") as work:
        tmp = os.path.join(work, "spool")
        profile = os.path.join(work, "profile")
        downloads = os.path.join(work, "downloads")
        for d in (tmp, profile, downloads):
            os.makedirs(d)
        not_capture = os.path.join(work, "notes.pcap")
        with open(not_capture, "w") as f:
            f.write("these are notes, not packets\n")
        with gwtest.Server(args.cicflow, tmp,
                           os.path.join(work, "server.log")) as srv:
            browser = cdp.Browser(args.chromium, profile,
                                  os.path.join(work, "chromium.log"))
            try:
                browser.call("Browser.setDownloadBehavior",
                             {"behavior": "allow",
                              "downloadPath": downloads})
                page = cdp.Page(browser)
                upload_capture(page, srv, capture, expected, downloads)
                upload_with_options(page, srv, args.cicflow,
                                    os.path.join(corpus, "delta",
                                                 "d07-single-packet.pcap"),
                                    work)
                upload_non_capture(page, srv, not_capture)
            except cdp.CdpError as e:
                C.check(False, "the browser session", str(e))
            finally:
                browser.close()
            posts = gwtest.wait_until(
                lambda: len([l for l in srv.request_lines()
                             if "path=/process" in l]) >= 3)
            C.check(posts, "the server logged the three uploads",
                    srv.request_lines())
        C.check(gwtest.tmp_files(tmp) == [], "tmp dir empty")
    return C.finish()


if __name__ == "__main__":
    sys.exit(main())
