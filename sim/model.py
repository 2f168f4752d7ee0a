"""The Mesa model: ten ASEAN states choosing how to align between outside partners.

One of the two engines (the other is `sim.engines.ensemble`); it depends on the
model core only, never on the other engine, and gives the same numbers bit for bit.
"""

from __future__ import annotations

import mesa
import numpy as np

from sim.agents import PartnerAgent, StateAgent
from sim.core import dynamics, randomness
from sim.core import measures
from sim.core.inputs import Inputs
from sim.core.trajectory import Trajectory
from sim.schema.scenario import Scenario, scenario_of


class AlignmentModel(mesa.Model):
    """ASEAN alignment model (MODEL.md). One step is one quarter.

    Args:
        scenario: a scenario name, path or `Scenario` (default baseline_2020).
        overrides: parameter changes on top of the scenario, ``{key: value}``.
        steps: horizon; the model stops running after it (default: the scenario's).
        seed: master seed (default: the scenario's); with ``run`` it picks the
            random streams, the same ones the ensemble engine gives run ``run``.
        run: this run's index within a job of replicates.
    """

    def __init__(self, scenario: Scenario | str = "baseline_2020", overrides: dict | None = None,
                 steps: int | None = None, seed: int | None = None, run: int = 0):
        scenario = scenario_of(scenario, overrides)
        self.scenario = scenario
        self.master_seed = scenario.seed if seed is None else int(seed)
        noise_rng, self.crisis_rng = randomness.run_generators(self.master_seed, run)
        super().__init__(seed=self.master_seed)
        # Mesa draws from a Generator passed as `rng` to seed `self.random`, which would shift the
        # stream; set it afterwards so this run's noise matches the ensemble engine's run `run`.
        self.rng = noise_rng
        self.horizon = scenario.steps if steps is None else int(steps)
        self.inputs = Inputs.build(scenario)
        self.events = scenario.events
        self.with_noise = randomness.needs_noise(self.inputs, self.events)
        self.params = dynamics.pack(self.inputs)
        self.dyn, terms, partners = dynamics.start(self.inputs, self.params)
        self.partners_now = partners[0]  # [attribute, partner] this step's effective partners
        self.gumbel = None
        scratch = dynamics.workspace(len(self.inputs.states), len(self.inputs.partners))
        self.leaning, _, self.work = dynamics.scratch_views(scratch, len(self.inputs.states))  # scratch rows
        for column, code in enumerate(self.inputs.partners):
            PartnerAgent(self, code, column)
        for row, name in enumerate(self.inputs.states):
            StateAgent(self, name, row)
        self.trajectory = Trajectory.allocate(self.inputs, self.horizon)
        self.trajectory.record(0, self.inputs, self.dyn, terms, dynamics.partner_table(partners))
        # Mesa's batch_run reads its rows from the collector (benchmarks/bench.py); results and the app
        # read the trajectory, so the collector keeps only the ASEAN means and cohesion batch_run reports.
        self.datacollector = mesa.DataCollector(
            model_reporters={"Cohesion": lambda m: float(measures.cohesion(m.dyn.alignment)[0]),
                             **{f"ASEAN {p}": _mean_alignment(i) for i, p in enumerate(self.inputs.partners)}})
        self.datacollector.collect(self)

    @property
    def state_agents(self):
        return self.agents_by_type[StateAgent]

    @property
    def partner_agents(self):
        return self.agents_by_type[PartnerAgent]

    def step(self):
        """One quarter: world, partners adapt, states score and choose, record."""
        self.world_step()
        self.partner_agents.do("step")
        dynamics.effective_partners(0, self.params, self.dyn.blocks(), self.partners_now)
        self.state_agents.do("step")
        self.state_agents.do("advance")
        self.record()
        self.running = self.steps < self.horizon

    def world_step(self):
        """Scheduled events, crises at sea, threat; draws this step's noise."""
        dynamics.apply_events(self.inputs, self.dyn, self.events, self.steps)
        dynamics.world(0, self.params, self.dyn.blocks(), self.crisis_rng.random(), self.leaning)
        shape = (len(self.inputs.states), len(self.inputs.partners))
        self.gumbel = randomness.gumbel(self.rng, shape) if self.with_noise else np.empty((shape[0], 0))

    def record(self):
        terms = np.stack([agent.terms for agent in sorted(self.state_agents, key=lambda a: a.row)])[None]
        if self.steps <= self.horizon:
            self.trajectory.record(self.steps, self.inputs, self.dyn, terms,
                                   dynamics.partner_table(self.partners_now[None]))
        self.datacollector.collect(self)


def _mean_alignment(column: int):
    return lambda m: float(m.dyn.alignment[0, :, column].mean())
