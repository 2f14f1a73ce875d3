-- wrk script: POSTs one image file ($IMAGE, as $CONTENT_TYPE, default image/jpeg) on every request.
local f = assert(io.open(os.getenv("IMAGE"), "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = os.getenv("CONTENT_TYPE") or "image/jpeg"
