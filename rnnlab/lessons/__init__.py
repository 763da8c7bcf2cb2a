"""The built-in lessons: TOML files shipped as package data (see rnnlab.core.builtin_lessons)."""
