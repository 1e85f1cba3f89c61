return { name = "found through SPINDLE_PATH" }
