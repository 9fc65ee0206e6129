"""The kernel every flow stands on: steps and the frame stack (flow), the engine, neutral messages, languages,
questions and forms, sub-flows, options, calendar files and durable nudges. It knows no platform and no flow but
the ones the engine loads."""
