-- A module that sandbox_spec.lua requires from its own directory.
return { answer = 42 }
