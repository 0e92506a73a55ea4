from carta.cli import main

raise SystemExit(main())
