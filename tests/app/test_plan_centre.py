"""A plan folder records the centre it was planned for (``centre.json``), and
``simulate-plan`` and ``marginal`` on that folder simulate that centre: by default, a
``--set`` that contradicts it is refused in one line (exit 2) unless ``--change-centre``,
and a folder without the record falls back to the user's ``--set`` with a warning."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import pandas as pd
import pytest
from test_plan import plan

from sim.app.marginal import cmd_marginal
from sim.app.plan import CALLBACK_REPLICATIONS, SINGLE_REPLICATIONS, _check_single_args
from sim.app.plan import main as plan_main
from sim.app.plan import parser as plan_parser
from sim.app.plan_centre import (
    CENTRE_FILE,
    PlanCentre,
    centre_contradictions,
    default_scenario,
    merged_overrides,
    read_centre,
)
from sim.app.plan_groups import GROUP_REPLICATIONS
from sim.app.simulate_plan import cmd_simulate_plan
from sim.config.compose import compose
from sim.core.checks import ConfigError

#: A one-day centre with callbacks at a 30 s threshold (not the scenario's 120 s): the
#: overrides a user must not have to repeat.
CB = ["--set", "scenario=callback_offered", "--set", "callbacks.threshold_s=30",
      "--set", "run.days=1"]  # fmt: skip


def _centre(*overrides: str, patience: str | None = None) -> PlanCentre:
    return PlanCentre(tuple(overrides), patience, "planning", None, Path("p/centre.json"))


@pytest.fixture(scope="module")
def cb_plan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A formula plan (M/M/n+G) of the one-day centre with callbacks at 30 s."""
    out = tmp_path_factory.mktemp("cb") / "plan"
    plan_main([*CB, "--methods", "mmng", "--out", str(out)])
    return out


def test_the_plan_folder_records_its_centre(cb_plan: Path) -> None:
    record = json.loads((cb_plan / CENTRE_FILE).read_text())
    assert record["scenario"] == "callback_offered"
    assert record["set"] == ["scenario=callback_offered", "callbacks.threshold_s=30", "run.days=1"]
    assert record["patience"] is None and record["model"] == "planning"
    centre = read_centre(cb_plan / "plan.csv")
    assert centre is not None and centre.scenario == "callback_offered"


def test_a_plan_without_scenario_records_the_default_one(tmp_path: Path) -> None:
    """No ``--set scenario=``: the record names the default scenario, so a later change of
    the default cannot change the centre of an old folder. The default it names is the
    one compose() uses (same config with and without it)."""
    f = tmp_path / "one.csv"
    f.write_text("interval_start,expected_calls,aht_s,interval_min\n2026-11-30 10:00,40,300,30\n")
    out = plan_main(["--forecast", str(f), "--methods", "erlang_c", "--patience",
                     "exponential:60", "--out", str(tmp_path / "p")])  # fmt: skip
    record = json.loads((out / CENTRE_FILE).read_text())
    assert record["set"] == [f"scenario={default_scenario()}"] and record["patience"] == "exponential:60"
    assert compose([f"scenario={default_scenario()}"]) == compose([])


def test_simulate_plan_checks_the_planned_centre_without_its_overrides(
    cb_plan: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Without any --set, simulate-plan gives exactly what it gives with the plan's --set
    (the old way), and not what the baseline gives (the old silent default)."""
    base = ["--plan", str(cb_plan / "plan.csv"), "--replications", "2"]
    with caplog.at_level(logging.INFO, logger="callsim"):
        recorded = cmd_simulate_plan([*base, "--out", str(tmp_path / "recorded")])
    assert f"centre: the plan's ({cb_plan / CENTRE_FILE}): scenario=callback_offered " \
        "callbacks.threshold_s=30 run.days=1" in caplog.text  # fmt: skip
    assert "with callbacks (the engine)" in caplog.text
    explicit = cmd_simulate_plan([*base, *CB, "--out", str(tmp_path / "explicit")])
    a = pd.read_csv(recorded / "intervals.csv")
    pd.testing.assert_frame_equal(a, pd.read_csv(explicit / "intervals.csv"))
    # the scenario's own 120 s threshold is another centre: other numbers
    other = cmd_simulate_plan([*base, *CB[:2], "--set", "run.days=1", "--change-centre",
                               "--set", "callbacks.threshold_s=120", "--out", str(tmp_path / "o")])  # fmt: skip
    assert not a.equals(pd.read_csv(other / "intervals.csv"))


def test_a_contradicting_set_is_refused_in_one_line(cb_plan: Path, tmp_path: Path) -> None:
    """exit 2, one line naming the key, the plan's value and the given one, and the two
    ways out; nothing written."""
    run = plan(tmp_path, "--plan", str(cb_plan / "plan.csv"), "--set",
               "callbacks.threshold_s=60", "--out", "x", command="simulate-plan")  # fmt: skip
    assert run.returncode == 2, run.stdout + run.stderr
    lines = [line for line in run.stdout.splitlines() if line.strip()]
    assert lines == [f"callsim: error: callbacks.threshold_s=60: not the centre the plan was "
                     f"made for ({cb_plan / CENTRE_FILE}: callbacks.threshold_s=30); leave it "
                     "out to check the plan's centre, or give --change-centre to check the "
                     "plan on another centre"]  # fmt: skip
    assert "Traceback" not in run.stderr and not (tmp_path / "x").exists()
    refused = r"^scenario=baseline: not the centre .*: scenario=callback_offered\)"
    with pytest.raises(ConfigError, match=refused):
        cmd_marginal(["--plan", str(cb_plan / "plan.csv"), "--set", "scenario=baseline",
                      "--replications", "2", "--out", str(tmp_path / "m")])  # fmt: skip
    assert not (tmp_path / "m").exists()


def test_marginal_uses_the_planned_centre_and_change_centre_overrides_it(
    cb_plan: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """marginal on the folder equals marginal with the plan's --set; --change-centre
    lets a contradicting value through, and says so."""
    base = ["--plan", str(cb_plan / "plan.csv"), "--replications", "2", "--day", "2026-11-30"]
    recorded = cmd_marginal([*base, "--set", "run.seed=3", "--out", str(tmp_path / "r")])
    explicit = cmd_marginal([*base, *CB, "--set", "run.seed=3", "--out", str(tmp_path / "e")])
    r = pd.read_csv(recorded / "marginal.csv")
    pd.testing.assert_frame_equal(r, pd.read_csv(explicit / "marginal.csv"))
    with caplog.at_level(logging.INFO, logger="callsim"):
        changed = cmd_marginal([*base, "--set", "run.seed=3", "--set", "callbacks.enabled=false",
                                "--change-centre", "--out", str(tmp_path / "c")])  # fmt: skip
    assert "changed by you: run.seed=3 callbacks.enabled=false" in caplog.text
    assert "with callbacks (the engine)" not in caplog.text.split("changed by you")[1]
    assert not r.equals(pd.read_csv(changed / "marginal.csv"))


def test_an_old_folder_falls_back_to_the_given_set_with_a_warning(
    cb_plan: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    old = tmp_path / "old"
    shutil.copytree(cb_plan, old)
    (old / CENTRE_FILE).unlink()
    base = ["--plan", str(old / "plan.csv"), "--replications", "2"]
    with caplog.at_level(logging.WARNING, logger="callsim"):
        out = cmd_simulate_plan([*base, *CB, "--out", str(tmp_path / "s")])
    assert f"{old / 'plan.csv'}: no centre.json beside it" in caplog.text
    assert "simulating the centre of your --set overrides only" in caplog.text
    same = cmd_simulate_plan(["--plan", str(cb_plan / "plan.csv"), "--replications", "2",
                              "--out", str(tmp_path / "t")])  # fmt: skip
    pd.testing.assert_frame_equal(pd.read_csv(out / "intervals.csv"),
                                  pd.read_csv(same / "intervals.csv"))  # fmt: skip
    with pytest.raises(ConfigError, match=r"--change-centre: .*centre.json does not exist"):
        cmd_simulate_plan([*base, "--change-centre", "--out", str(tmp_path / "u")])
    (old / CENTRE_FILE).write_text("{not json")
    with pytest.raises(ConfigError, match=r"centre.json: cannot read it as the plan's centre"):
        cmd_simulate_plan([*base, "--out", str(tmp_path / "v")])


def test_contradictions_compare_values_not_spellings() -> None:
    """A value equal to the plan's (30 and 30.0, the scenario's own value) is no
    contradiction; another value is, recorded or not; run.seed is free; --patience
    overrides compare as the law they compose."""
    c = _centre("scenario=callback_offered", "callbacks.threshold_s=30")
    assert centre_contradictions(c, ["callbacks.threshold_s=30.0", "callbacks.enabled=true",
                                     "scenario=callback_offered", "run.seed=7"]) == []  # fmt: skip
    assert centre_contradictions(c, ["callbacks.threshold_s=60", "callbacks.enabled=false"]) == [
        ("callbacks.threshold_s", "30", "60"), ("callbacks.enabled", "true", "false")]  # fmt: skip
    assert centre_contradictions(c, ["scenario=baseline"]) == [
        ("scenario", "callback_offered", "baseline")]  # fmt: skip
    assert centre_contradictions(c, ["patience=never"]) == [("patience", "genesys", "never")]
    e = _centre("scenario=baseline", patience="exponential:30")
    assert centre_contradictions(e, ["patience=exponential", "patience.mean_s=30.0"]) == []
    assert centre_contradictions(e, ["patience.mean_s=60"]) == [("patience.mean_s", "30.0", "60")]


def test_merged_overrides_drop_the_plans_entries_below_a_given_key() -> None:
    planned = ["scenario=baseline", "patience=exponential", "patience.mean_s=30.0", "run.days=2"]
    assert merged_overrides(planned, ["patience=never", "run.seed=7"]) == [
        "scenario=baseline", "run.days=2", "patience=never", "run.seed=7"]  # fmt: skip


def test_the_recorded_config_dir_is_used_when_none_is_given(tmp_path: Path) -> None:
    """A plan of the user's own scenario (--config-dir): simulate-plan without
    --config-dir finds it through the record; a folder gone since is one line."""
    (tmp_path / "mine" / "scenario").mkdir(parents=True)
    (tmp_path / "mine" / "scenario" / "small.yaml").write_text(
        "# @package _global_\ncenter:\n  volume_per_day: 400\nrun:\n  days: 1\n")
    out = plan_main(["--config-dir", str(tmp_path / "mine"), "--set", "scenario=small",
                     "--methods", "erlang_a", "--out", str(tmp_path / "p")])  # fmt: skip
    assert json.loads((out / CENTRE_FILE).read_text())["config_dir"] == str((tmp_path / "mine").resolve())
    check = cmd_simulate_plan(["--plan", str(out / "plan.csv"), "--replications", "2",
                               "--out", str(tmp_path / "s")])  # fmt: skip
    assert pd.read_csv(check / "intervals.csv")["offered"].sum() > 0
    shutil.move(tmp_path / "mine", tmp_path / "moved")
    with pytest.raises(ConfigError, match=r"the plan's --config-dir .*mine' no longer exists"):
        cmd_simulate_plan(["--plan", str(out / "plan.csv"), "--out", str(tmp_path / "t")])
    moved = cmd_simulate_plan(["--plan", str(out / "plan.csv"), "--config-dir",
                               str(tmp_path / "moved"), "--replications", "2",
                               "--out", str(tmp_path / "t")])  # fmt: skip
    pd.testing.assert_frame_equal(pd.read_csv(check / "intervals.csv"),
                                  pd.read_csv(moved / "intervals.csv"))  # fmt: skip


def test_plan_help_states_the_replication_defaults_it_applies() -> None:
    """The help of --replications/--max-replications names each default, and they are
    the ones the option checks fill in (one queue, callbacks, several groups)."""
    text = " ".join(plan_parser().format_help().split())
    (first, top), (c_first, c_top) = SINGLE_REPLICATIONS, CALLBACK_REPLICATIONS
    g_first, g_top = GROUP_REPLICATIONS
    assert (f"default {first} for one queue, {c_first} for a centre with callbacks (the engine "
            f"runs them), {g_first} for several groups") in text  # fmt: skip
    assert f"default {top} for one queue, {c_top} for a centre with callbacks, {g_top} for " \
        "several groups" in text  # fmt: skip
    for callbacks, expected in ((False, (16, 128)), (True, (8, 32))):
        args = plan_parser().parse_args([])
        _check_single_args(args, callbacks)
        assert (args.replications, args.max_replications) == expected


#: A plain two-day centre (one queue, no callbacks) planned at 90% within 30 s.
PLAIN = ["--set", "center.volume_per_day=3000", "--set", "run.days=2", "--sl-target", "0.9",
         "--sl-threshold-s", "30"]  # fmt: skip


@pytest.fixture(scope="module")
def plain_plan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An Erlang A plan of the plain centre at 90% within 30 s."""
    out = tmp_path_factory.mktemp("plain") / "plan"
    plan_main([*PLAIN, "--methods", "erlang_a", "--out", str(out)])
    return out


def test_a_key_without_effect_on_the_check_is_refused(plain_plan: Path, tmp_path: Path) -> None:
    """A plan of one queue is simulated on plan.csv's forecast with the plan's agents: a
    --set of the volume, run.days or staffing cannot change anything, so it is refused in
    one line (exit 2), --change-centre or not, instead of being logged as a change and
    ignored; the staffing one no longer quotes the scenario's agents as the plan's."""
    csv = str(plain_plan / "plan.csv")
    run = plan(tmp_path, "--plan", csv, "--set", "center.volume_per_day=6000",
               "--change-centre", "--out", "x", command="simulate-plan")  # fmt: skip
    assert run.returncode == 2, run.stdout + run.stderr
    lines = [line for line in run.stdout.splitlines() if line.strip()]
    assert lines == ["callsim: error: center.volume_per_day=6000: no effect on this check: a "
                     "plan of one queue is simulated on its own forecast (plan.csv's columns, "
                     "or --forecast FILE), not the centre's; give --forecast FILE to check the "
                     "plan on another forecast, or re-plan that centre (callsim plan ... --set "
                     "center.volume_per_day=6000)"]  # fmt: skip
    assert "Traceback" not in run.stderr and not (tmp_path / "x").exists()
    for sets, change in ((["run.days=3"], False), (["center.profile=null"], True)):
        with pytest.raises(ConfigError, match=rf"^{sets[0]}: no effect on this check"):
            cmd_marginal(["--plan", csv, *(f"--set={s}" for s in sets), "--out",
                          str(tmp_path / "m"), *(["--change-centre"] if change else [])])  # fmt: skip
    with pytest.raises(ConfigError, match=r"^staffing.agents=5: no effect on this check: the "
                       r"agents simulated are the plan's") as info:  # fmt: skip
        cmd_simulate_plan(["--plan", csv, "--set", "staffing.agents=5", "--out", str(tmp_path / "s")])
    assert "plan was made for" not in str(info.value)
    assert not (tmp_path / "m").exists() and not (tmp_path / "s").exists()


def test_with_callbacks_staffing_is_refused_and_the_forecast_needs_a_new_plan(
    cb_plan: Path, tmp_path: Path
) -> None:
    """A centre with callbacks is simulated on its own forecast: run.days is its centre
    (refused as a contradiction; with --change-centre, the forecast no longer matches the
    plan's: re-plan), staffing has no effect."""
    csv = str(cb_plan / "plan.csv")
    with pytest.raises(ConfigError, match=r"^staffing.agents=5: no effect on this check"):
        cmd_simulate_plan(["--plan", csv, "--set", "staffing.agents=5", "--change-centre",
                           "--out", str(tmp_path / "s")])  # fmt: skip
    with pytest.raises(ConfigError) as info:
        cmd_simulate_plan(["--plan", csv, "--set", "run.days=3", "--change-centre",
                           "--out", str(tmp_path / "s")])  # fmt: skip
    text = str(info.value)
    assert "a --set of run.days or the volume (center.*) cannot change for that plan: " \
        "re-plan that centre" in text and "give the --set overrides" not in text  # fmt: skip


def test_the_plans_target_is_recorded_and_checked_by_default(
    plain_plan: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """centre.json records 90% within 30 s; simulate-plan checks against it without being
    told (same result as with the options restated; the console line says it), marginal
    prices 'not answered within 30 s'; another target is refused unless --change-centre,
    and then gives another verdict on the same replications."""
    targets = json.loads((plain_plan / CENTRE_FILE).read_text())["targets"]
    assert targets == {"sl_target": 0.9, "sl_threshold_s": 30.0, "max_abandon": None,
                       "max_asa_s": None, "max_occupancy": None}  # fmt: skip
    base = ["--plan", str(plain_plan / "plan.csv"), "--replications", "4"]
    with caplog.at_level(logging.INFO, logger="callsim"):
        own = cmd_simulate_plan([*base, "--out", str(tmp_path / "own")])
    assert "; target 90% within 30 s)" in caplog.text
    told = cmd_simulate_plan([*base, "--sl-target", "0.9", "--sl-threshold-s", "30",
                              "--out", str(tmp_path / "told")])  # fmt: skip
    a = pd.read_csv(own / "intervals.csv")
    pd.testing.assert_frame_equal(a, pd.read_csv(told / "intervals.csv"))
    with pytest.raises(ConfigError, match=r"^--sl-target 0.8: not the target the plan was made "
                       r"for \(.*centre.json: --sl-target 0.9\); leave it out"):  # fmt: skip
        cmd_simulate_plan([*base, "--sl-target", "0.8", "--out", str(tmp_path / "x")])
    with pytest.raises(ConfigError, match=r"^--max-abandon 0.05: .*--max-abandon none\)"):
        cmd_marginal([*base, "--max-abandon", "0.05", "--out", str(tmp_path / "x")])
    other = cmd_simulate_plan([*base, "--sl-threshold-s", "20", "--change-centre",
                               "--out", str(tmp_path / "other")])  # fmt: skip
    b = pd.read_csv(other / "intervals.csv")
    assert (a["offered"] == b["offered"]).all() and (b["service_level"] < a["service_level"]).any()
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="callsim"):
        cmd_marginal([*base, "--day", "2026-11-30", "--out", str(tmp_path / "m")])
    assert "(not answered within 30 s)" in caplog.text


def test_an_old_record_without_targets_checks_the_defaults_and_says_so(
    plain_plan: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    old = tmp_path / "old"
    shutil.copytree(plain_plan, old)
    record = json.loads((old / CENTRE_FILE).read_text())
    del record["targets"]
    (old / CENTRE_FILE).write_text(json.dumps(record))
    with caplog.at_level(logging.INFO, logger="callsim"):
        cmd_simulate_plan(["--plan", str(old / "plan.csv"), "--replications", "2",
                           "--sl-target", "0.7", "--out", str(tmp_path / "s")])  # fmt: skip
    assert caplog.text.count("records no service-level target") == 1
    assert "; target 70% within 20 s)" in caplog.text


def test_a_plan_of_several_groups_is_refused_in_one_line(tmp_path: Path) -> None:
    """simulate-plan simulates one queue; a group plan runs with +plan=planned."""
    out = plan_main(["--set", "scenario=two_languages", "--set", "run.days=1", "--methods",
                     "erlang_c", "--out", str(tmp_path / "p")])  # fmt: skip
    assert "targets" not in json.loads((out / CENTRE_FILE).read_text())  # each type's own
    with pytest.raises(ConfigError, match=r"a centre of several agent groups; simulate its "
                       r"plan with the command callsim plan printed"):  # fmt: skip
        cmd_simulate_plan(["--plan", str(out / "plan_by_type.csv"), "--out", str(tmp_path / "s")])
