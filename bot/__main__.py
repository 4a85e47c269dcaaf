from bot.serve import main

raise SystemExit(main())
