"""The chain's application (state machine) behind an ABCI++-shaped boundary.

Entry points: `abci` (boundary types, the Application protocol), `app.GonkaApp`,
`genesis.Genesis`. Modules live in subpackages (bank, params, participants,
epochs, validators) and are assembled in `modules`; see `router` for how to add one.
"""
