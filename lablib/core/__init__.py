"""The core: field kinds, the exercise model, checks, rubrics, the answers store, messages in
two languages, atomic files, stages, the workshop calendar, number formatting and the error
family. It imports nothing else of lablib, so every other layer can build on it."""
