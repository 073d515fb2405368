"""The queue API: thin views that parse, check who may act, call a service and shape the answer.
One module per sub-domain; `queueing/api_urls.py` routes them."""
