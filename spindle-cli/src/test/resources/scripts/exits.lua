os.exit(tonumber((...)))
