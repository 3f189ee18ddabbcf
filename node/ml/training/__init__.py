"""DiLoCo training on the ML node: model and data, the torchft worker, commitments and validation.

    spec.py        what a task asks for (the chain's TaskSpec, same field names)
    model.py       the small Llama configs trained from scratch, seeded
    data.py        the shipped corpus (data/), byte tokens, per-shard deterministic batches
    steps.py       one inner AdamW step: the same code for workers and validators
    snapshots.py   content-addressed states (params + inner optimizer) and their hashes
    rounds.py      one outer step's inner loop, its snapshots and its commitment
    diloco.py      torchft wiring: manager, gloo group, DiLoCo with outer Nesterov SGD
    lighthouse.py  the torchft lighthouse as a process
    worker.py      the worker process; events.py its progress log; launch.py starts it
    adversary.py   the honest step policy and `lazy-trainer`
    validate.py    re-execution of committed segments and the verdict
    baseline.py    the single-process baseline DiLoCo is compared with
"""
