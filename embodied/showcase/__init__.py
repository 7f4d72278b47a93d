"""Showcase code kept out of the library packages: the demo episode (:mod:`.demo`), the
avatar gallery (:mod:`.avatars`), robot figures (:mod:`.robots`) and the small playground
scenes used by robot tests, benchmarks and figures (:mod:`.playground`)."""
