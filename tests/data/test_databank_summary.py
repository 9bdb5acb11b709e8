"""scripts/databank-summary reproduces the Battery Failure Databank statistics that the docs and
the coming calibration use (docs/databank.md): body share of the total heat 27.6 +- 12.2 % over
the 313 split tests at 100 % SOC, total heat / electrical energy 1.42 +- 0.27, and the LG
18650-MJ1 heater tests at 87.5 +- 8.5 kJ. Fails if the data file or the script's reading changes.
Usage: python3 tests/data/test_databank_summary.py SOURCE_DIR
"""
import importlib.machinery
import importlib.util
import os
import statistics
import sys


def load_script(source_dir):
    path = os.path.join(source_dir, "scripts", "databank-summary")
    loader = importlib.machinery.SourceFileLoader("databank_summary", path)
    spec = importlib.util.spec_from_loader("databank_summary", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def check(name, got, expected, tolerance, failures):
    ok = abs(got - expected) <= tolerance
    print(f"{'PASS' if ok else 'FAIL'} {name}: {got:.4g} (expected {expected} +- {tolerance})")
    if not ok:
        failures.append(name)


def main(source_dir):
    summary = load_script(source_dir)
    rows = summary.load(summary.DEFAULT_CSV)
    full = [r for r in rows if r["soc_percent"] == 100]
    shares = [r["body_share"] for r in full if r["body_share"] is not None]
    ratios = [r["total_heat_over_electrical"] for r in full
              if r["total_heat_over_electrical"] is not None]
    mj1 = [r["total_heat_kJ"] for r in full
           if r["cell"].startswith("LG 18650-MJ1") and r["trigger"].startswith("Heater")]
    failures = []
    check("tests in the file", len(rows), 365, 0, failures)
    check("split tests at 100 % SOC", len(shares), 313, 0, failures)
    check("mean body share (%)", statistics.mean(shares), 27.6, 0.1, failures)
    check("sd of body share (%)", statistics.stdev(shares), 12.2, 0.1, failures)
    check("mean total / electrical", statistics.mean(ratios), 1.42, 0.005, failures)
    check("sd of total / electrical", statistics.stdev(ratios), 0.27, 0.005, failures)
    check("LG MJ1 heater mean (kJ)", statistics.mean(mj1), 87.5, 0.1, failures)
    check("LG MJ1 heater sd (kJ)", statistics.stdev(mj1), 8.5, 0.1, failures)
    print(f"{8 - len(failures)} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else
                  os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")))
