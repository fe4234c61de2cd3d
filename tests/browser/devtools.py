"""A headless Chromium driven over the DevTools protocol, for the HTML report's browser tests.

The browser is started with --remote-debugging-pipe: it reads commands from file descriptor 3
and writes answers and events to descriptor 4, each a JSON object ended by a NUL byte. That needs
no driver program and no package beyond Python's own library, and, unlike WebDriver, it reports
every request a page makes and every dialog it opens, which is what the tests must watch.
"""
import json
import os
import select
import shutil
import subprocess
import tempfile
import time

SKIP = 77  # meson's exit status for a skipped test


def find_chromium():
    """The Chromium to test with: $ODDPORT_CHROMIUM, or chromium / chromium-browser on PATH."""
    named = os.environ.get("ODDPORT_CHROMIUM")
    if named:
        return shutil.which(named)
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    return None


def chromium_or_skip():
    chromium = find_chromium()
    if chromium is None:
        print("skipped: no chromium to render the HTML report in "
              "(apt-get install chromium, or set ODDPORT_CHROMIUM)")
        raise SystemExit(SKIP)
    return chromium


class BrowserError(Exception):
    pass


class Browser:
    """One headless Chromium with one page, closed by close() or a with-block."""

    def __init__(self, chromium, width=1280, height=900):
        self.profile = tempfile.mkdtemp(prefix="oddport-chromium-")
        to_browser_read, to_browser_write = os.pipe()
        from_browser_read, from_browser_write = os.pipe()

        def attach_pipes():
            # Out of the way first, so that neither pipe end is closed by the other's dup2.
            high_read = os.dup(to_browser_read)
            high_write = os.dup(from_browser_write)
            os.dup2(high_read, 3)
            os.dup2(high_write, 4)

        arguments = [chromium, "--headless", "--remote-debugging-pipe", "--disable-gpu",
                     "--user-data-dir=" + self.profile, "--no-first-run",
                     "--no-default-browser-check", "--disable-extensions",
                     "--disable-background-networking", "--disable-component-update",
                     "--disable-sync", "--disable-dev-shm-usage", "--hide-scrollbars",
                     "--mute-audio", "--window-size=%d,%d" % (width, height)]
        if os.geteuid() == 0:
            arguments.append("--no-sandbox")  # Chromium refuses to run as root with its sandbox
        arguments.append("about:blank")
        self.process = subprocess.Popen(arguments, stdin=subprocess.DEVNULL,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                        preexec_fn=attach_pipes, pass_fds=(3, 4))
        os.close(to_browser_read)
        os.close(from_browser_write)
        self.command_pipe = to_browser_write
        self.answer_pipe = from_browser_read
        self.pending = b""
        self.next_id = 0
        self.events = []
        self.session = None
        target = self.call("Target.createTarget", {"url": "about:blank"}, session=False)
        attached = self.call("Target.attachToTarget",
                             {"targetId": target["targetId"], "flatten": True}, session=False)
        self.session = attached["sessionId"]
        self.width = width
        self.height = height
        for domain in ("Page", "Network", "Runtime", "Log"):
            self.call(domain + ".enable")
        self.call("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})

    def __enter__(self):
        return self

    def __exit__(self, *exception):
        self.close()

    def close(self):
        try:
            self.call("Browser.close", session=False, timeout=5)
        except (BrowserError, OSError):
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        for pipe in (self.command_pipe, self.answer_pipe):
            try:
                os.close(pipe)
            except OSError:
                pass
        shutil.rmtree(self.profile, ignore_errors=True)

    def _read_message(self, deadline):
        while b"\0" not in self.pending:
            left = deadline - time.monotonic()
            if left <= 0:
                raise BrowserError("no answer from chromium in time")
            ready, _, _ = select.select([self.answer_pipe], [], [], left)
            if not ready:
                continue
            chunk = os.read(self.answer_pipe, 1 << 20)
            if not chunk:
                error = self.process.stderr.read().decode(errors="replace")[-2000:]
                raise BrowserError("chromium closed its pipe: " + error)
            self.pending += chunk
        message, self.pending = self.pending.split(b"\0", 1)
        return json.loads(message)

    def call(self, method, params=None, session=True, timeout=60):
        """Sends a command and returns its result; events that arrive meanwhile are kept."""
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session and self.session is not None:
            message["sessionId"] = self.session
        data = json.dumps(message).encode() + b"\0"
        while data:
            written = os.write(self.command_pipe, data)
            data = data[written:]
        deadline = time.monotonic() + timeout
        while True:
            answer = self._read_message(deadline)
            if answer.get("id") == self.next_id:
                if "error" in answer:
                    raise BrowserError("%s: %s" % (method, answer["error"]))
                return answer.get("result", {})
            self._keep_event(answer)

    def _keep_event(self, event):
        if "method" not in event:
            return
        self.events.append(event)
        if event["method"] == "Page.javascriptDialogOpening":
            # Dismissed so the page goes on; the test still sees that it opened.
            self.call("Page.handleJavaScriptDialog", {"accept": False})

    def wait_for_event(self, method, timeout=60):
        """The first kept or coming event called `method`, removed from the kept ones."""
        deadline = time.monotonic() + timeout
        while True:
            for index, event in enumerate(self.events):
                if event["method"] == method:
                    return self.events.pop(index)
            self._keep_event(self._read_message(deadline))

    def events_named(self, method):
        return [event for event in self.events if event["method"] == method]

    def drain_events(self, seconds):
        """Collects the events of the next `seconds`, such as late requests."""
        deadline = time.monotonic() + seconds
        while True:
            try:
                self._keep_event(self._read_message(deadline))
            except BrowserError:
                return

    def load(self, path, dark=False):
        """Opens a file and waits for its load event; returns the seconds from the navigation to
        that event."""
        self.call("Emulation.setEmulatedMedia",
                  {"features": [{"name": "prefers-color-scheme",
                                 "value": "dark" if dark else "light"}]})
        url = "file://" + os.path.abspath(path)
        started = time.monotonic()
        self.call("Page.navigate", {"url": url})
        self.wait_for_event("Page.loadEventFired")
        return time.monotonic() - started

    def evaluate(self, expression):
        """The value of a JavaScript expression in the page (returned by value)."""
        result = self.call("Runtime.evaluate", {"expression": expression,
                                                "returnByValue": True, "awaitPromise": True})
        if "exceptionDetails" in result:
            raise BrowserError("%s: %s" % (expression, result["exceptionDetails"]))
        return result["result"].get("value")

    def screenshot(self, path):
        """The whole page, up to 16000 pixels down. The viewport is made as tall as the page
        first: a page may leave what is far off screen unrendered (content-visibility)."""
        height = min(int(self.call("Page.getLayoutMetrics")["cssContentSize"]["height"]), 16000)
        self.call("Emulation.setDeviceMetricsOverride",
                  {"width": self.width, "height": height, "deviceScaleFactor": 1,
                   "mobile": False})
        self.evaluate("new Promise(done => requestAnimationFrame(() => setTimeout(done)))")
        self._write_capture(path, {"x": 0, "y": 0, "width": self.width, "height": height,
                                   "scale": 1})
        self.call("Emulation.setDeviceMetricsOverride",
                  {"width": self.width, "height": self.height, "deviceScaleFactor": 1,
                   "mobile": False})

    def screenshot_top(self, path, height):
        self._write_capture(path, {"x": 0, "y": 0, "width": self.width, "height": height,
                                   "scale": 1})

    def _write_capture(self, path, clip):
        import base64
        params = {"format": "png", "captureBeyondViewport": True}
        if clip is not None:
            params["clip"] = clip
        image = self.call("Page.captureScreenshot", params)
        with open(path, "wb") as output:
            output.write(base64.b64decode(image["data"]))

    def print_pdf(self):
        import base64
        return base64.b64decode(self.call("Page.printToPDF", {"printBackground": True})["data"])
