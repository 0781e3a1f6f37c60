"""`jobctl`: the command line of the EMR control plane, a client of the services' REST APIs.

It talks HTTP only (urllib) and imports nothing of the services, so it runs wherever Python 3.11
does. `cli.main.main(argv)` is the entry point; `cli.demo` holds `make demo`.
"""
