"""Pure lifeline engines (no Django): network models, damage, service, fire, gas, chemicals and
their time-stepped interdependencies. Modules: ``networks``, ``damage``, ``debris``, ``water``,
``service``, ``metrics``, ``fire``, ``fire_spread``, ``gas``, ``chemical``, ``interdependency``;
theory in ``docs/lifelines/``."""
