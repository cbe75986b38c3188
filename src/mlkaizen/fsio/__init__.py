"""Files the tool opens and writes by name, made safe against an untrusted tree: a bounded
reader (:mod:`.read`) and one writer (:mod:`.write`)."""
