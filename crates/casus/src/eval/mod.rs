//! Measuring casus against gold-annotated cases (see `corpus/` and `ANNOTATION.md`).
