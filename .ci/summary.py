#!/usr/bin/env python3
"""Prints one closing line for the whole CI run, counted from every JUnit XML report it produced.

Maven's reactor prints a summary per module, and pytest its own; CI reads the last line, so this adds them up:
Surefire and Failsafe reports under */target, and any pytest --junitxml report under target/ci-reports.
"""
import glob
import sys
import xml.etree.ElementTree as ElementTree

patterns = ["*/target/surefire-reports/TEST-*.xml", "*/target/failsafe-reports/TEST-*.xml", "target/ci-reports/*.xml"]
passed = failed = skipped = 0
for pattern in patterns:
    for path in glob.glob(pattern):
        root = ElementTree.parse(path).getroot()
        suites = [root] if root.tag == "testsuite" else root.iter("testsuite")
        for suite in suites:
            tests = int(suite.get("tests", 0))
            bad = int(suite.get("failures", 0)) + int(suite.get("errors", 0))
            skip = int(suite.get("skipped", 0))
            passed += tests - bad - skip
            failed += bad
            skipped += skip

print(f"ci: {passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed else 0)
