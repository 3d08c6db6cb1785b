"""Emergency drills: scenario state, injects, evacuation, search and rescue, hospitals, plans.

Pure engine: inputs are dataclasses and a networkx road graph (edge attribute ``travel_s``,
seconds; optional ``capacity``, persons). See docs/scenarios/drills.md.
"""
