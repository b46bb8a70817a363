#!/usr/bin/python3
"""The README's two commands are the ones CI runs.

README.md shows, under "The two commands", one command that builds and
starts the service and one that builds and runs every test. CI
(.ci/run) must run that same test command, and both scripts must exist
and be executable. Prints `N passed, N failed`.
"""
import os
import re
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def main():
    passed, failed = 0, []

    def check(ok, what):
        nonlocal passed
        if ok:
            passed += 1
        else:
            failed.append(what)

    with open(os.path.join(ROOT, "README.md")) as f:
        readme = f.read()
    section = readme.split("## The two commands", 1)
    check(len(section) == 2, "README has a 'The two commands' section")
    block = re.search(r"```sh\n(.*?)```", section[-1], re.S)
    commands = [line.split("#")[0].strip()
                for line in (block.group(1) if block else "").splitlines()
                if line.strip()]
    check(len(commands) == 2, f"exactly two commands: {commands}")
    serve, test = (commands + ["", ""])[:2]
    check(serve.split()[:2] == ["tools/run.sh", "serve"],
          f"first command starts the service: {serve}")
    for cmd in (serve, test):
        script = os.path.join(ROOT, cmd.split()[0]) if cmd else ""
        check(os.path.isfile(script) and os.access(script, os.X_OK),
              f"{cmd.split()[0] if cmd else '?'} exists and is executable")
    with open(os.path.join(ROOT, ".ci", "run")) as f:
        ci = [line.strip() for line in f
              if line.strip() and not line.startswith("#")]
    check(test in ci, f"CI runs the README's test command '{test}'")
    check(ci and ci[-1] == test, "the test command is CI's last step")
    installs = [i for i, line in enumerate(ci) if "install-deps.sh" in line]
    check(installs and installs[0] < ci.index(test) if test in ci else False,
          "CI installs the packages before testing")
    for what in failed:
        print("FAIL " + what)
    print(f"{passed} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
