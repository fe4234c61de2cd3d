#!/usr/bin/env python3
"""The HTML report of a capture whose banners, SNI, Host header, first bytes and even its file
name carry <script>, "><img onerror=...> and javascript: is loaded in headless Chromium: no
script of theirs runs, no dialog opens, no request leaves the page, and the markup shows as
text. Then the page's Content-Security-Policy is tried on its own: markup added to the live page
may neither load nor run anything.

Usage: check-xss.py ODDPORT WRITE-XSS-CAPTURE ARTEFACT-DIR
Without chromium, the page's text is still checked, then the test is skipped (77).
"""
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import devtools  # noqa: E402

failures = []
passes = 0


def check(condition, what):
    global passes
    if condition:
        passes += 1
        print("ok - " + what)
    else:
        failures.append(what)
        print("not ok - " + what)


# Records what the page's policy refuses, from before the page's first byte: a DevTools script,
# which the policy does not govern, so the test sees what the page itself could not do.
WATCHER = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', event =>
    window.__violations.push(event.violatedDirective + ' ' + event.blockedURI));
"""


def main():
    oddport, writer, artefacts = (os.path.abspath(path) for path in sys.argv[1:4])
    os.makedirs(artefacts, exist_ok=True)
    work = tempfile.mkdtemp(prefix="oddport-xss-")
    try:
        # A file name is wire-like text too: it reaches the page's title and header.
        name = "x\"><img src=x onerror=alert('name')><script>alert('name').pcap"
        subprocess.run([writer, os.path.join(work, name)], check=True)
        page = os.path.join(work, "xss.html")
        subprocess.run([oddport, "--format", "html", "-o", page, name], cwd=work, check=True)
        with open(page, "rb") as source:
            html = source.read()
        check(all(32 <= byte < 127 or byte in (9, 10) for byte in html),
              "the page is printable ASCII")
        for raw in (b"<script>alert", b"<img", b"<svg onload", b"<iframe"):
            check(raw not in html, "no raw %r in the page" % raw.decode())
        check(html.count(b"<script") == 1, "one script element in the page: its own")
        chromium = devtools.find_chromium()
        if chromium is None:
            # The page's text was checked above; only the browser's part is skipped.
            print("%d passed, %d failed" % (passes, len(failures)))
            if failures:
                return 1
            print("skipped: no chromium to load the page in "
                  "(apt-get install chromium, or set ODDPORT_CHROMIUM)")
            return devtools.SKIP

        with devtools.Browser(chromium) as browser:
            browser.call("Page.addScriptToEvaluateOnNewDocument", {"source": WATCHER})
            browser.load(page)
            browser.drain_events(1.0)
            evaluate = browser.evaluate
            check(evaluate("document.documentElement.dataset.ready") == "true",
                  "the page's own script ran")
            dialogs = browser.events_named("Page.javascriptDialogOpening")
            check(not dialogs, "no script from the capture ran: no dialog opened %s"
                  % [event["params"]["message"] for event in dialogs])
            requests = [event["params"]["request"]["url"]
                        for event in browser.events_named("Network.requestWillBeSent")]
            check(requests == ["file://" + os.path.abspath(page)],
                  "no request left the page but its own load: %s" % requests)
            check(evaluate("document.scripts.length") == 1, "the page holds its one script")
            check(evaluate("document.querySelectorAll('img, iframe, object, embed, a[href^=java]')"
                           ".length") == 0, "and no image, frame or javascript: link")
            handlers = evaluate("""Array.from(document.querySelectorAll('*')).filter(element =>
                Array.from(element.attributes).some(attribute =>
                    attribute.name.startsWith('on'))).length""")
            check(handlers == 0, "no element has an event handler attribute")
            check(evaluate("document.querySelector('svg foreignObject, svg script')") is None,
                  "no script or foreign object inside the charts")
            text = evaluate("document.body.textContent")
            for shown in ("<script>alert('banner')</script>",
                          "\"><img src=x onerror=alert('banner-img')>",
                          "Host: \"><img src=http://192.0.2.1/host.png onerror=alert('host')>",
                          "SNI=javascript:alert('sni')//\"><svg onload=alert('sni-svg')>",
                          "220 <script>alert('greeting')</script>"):
                check(shown in text, "shown as text: %s" % shown)
            check(evaluate("document.title").startswith("oddport: x\"><img"),
                  "the file name is text in the title")
            check(evaluate("window.__violations") == [],
                  "the page itself broke no rule of its policy")

            # The policy on its own, as if escaping had failed: nothing added may load or run.
            evaluate("""(() => {
                const image = document.createElement('img');
                image.src = 'http://192.0.2.1/added.png';
                document.body.append(image);
                const frame = document.createElement('iframe');
                frame.src = 'http://192.0.2.1/frame';
                document.body.append(frame);
                const link = document.createElement('link');
                link.rel = 'stylesheet';
                link.href = 'http://192.0.2.1/style.css';
                document.head.append(link);
                const style = document.createElement('style');
                style.append('body { background: url(http://192.0.2.1/background.png) }');
                document.head.append(style);
            })()""")
            blocked = evaluate("""(() => {
                try {
                    document.body.insertAdjacentHTML('beforeend',
                        '<img src=x onerror="window.__ran = 1">');
                    return 'inserted';
                } catch (error) { return error.name; }
            })()""")
            check(blocked == "TypeError",
                  "Trusted Types refuse markup from strings (%s)" % blocked)
            refused = evaluate("""(() => {
                const refused = [];
                const script = document.createElement('script');
                try { script.text = 'window.__ran = 2'; } catch (error) { refused.push('text'); }
                document.body.append(script);
                const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
                try { svg.setAttribute('onload', 'window.__ran = 3'); }
                catch (error) { refused.push('handler'); }
                document.body.append(svg);
                return refused;
            })()""")
            check(refused == ["text", "handler"],
                  "Trusted Types refuse script text and handler attributes (%s)" % refused)
            browser.drain_events(1.5)
            check(evaluate("window.__ran") is None, "no added script or handler ran")
            requests = [event["params"]["request"]["url"]
                        for event in browser.events_named("Network.requestWillBeSent")]
            left = [url for url in requests if url.startswith("http")]
            failed = browser.events_named("Network.loadingFailed")
            finished = browser.events_named("Network.responseReceived")
            check(not any(event["params"]["response"]["url"].startswith("http")
                          for event in finished),
                  "no added image, frame or style got an answer")
            check(all(event["params"].get("blockedReason") == "csp" for event in failed
                      if event["params"]["requestId"] in
                      [request["params"]["requestId"] for request in
                       browser.events_named("Network.requestWillBeSent")
                       if request["params"]["request"]["url"].startswith("http")]),
                  "every such request was blocked by the policy (%d tried)" % len(left))
            violations = evaluate("window.__violations")
            check(any(v.startswith("img-src") for v in violations) and
                  any(v.startswith("frame-src") for v in violations) and
                  any(v.startswith("style-src") for v in violations),
                  "the policy reported each: %s" % violations)
            browser.screenshot_top(os.path.join(artefacts, "xss-report.png"), 1400)
        shutil.copy(page, os.path.join(artefacts, "xss-report.html"))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("%d passed, %d failed" % (passes, len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
