-- roomcode_valid, roomcode_normalize, roomcode_generate and roomcode_version.
.mode list
SELECT 'version', roomcode_version() GLOB '[0-9]*.[0-9]*.[0-9]*';
SELECT 'valid', roomcode_valid('xvm-wxwo-gbl'), roomcode_valid('XVM-WXWO-GBL'),
       roomcode_valid('xvmwxwogbl'), roomcode_valid('xvm-wxwo-gb'), roomcode_valid('xvm-wxwo-gblx'),
       roomcode_valid('xvmw-xwo-gbl'), roomcode_valid('xv1-wxwo-gbl'), roomcode_valid(NULL),
       roomcode_valid(12), roomcode_valid(x'78766d2d7778776f2d67626c'), roomcode_valid('');
SELECT 'normalize', roomcode_normalize('xvm-wxwo-gbl'), roomcode_normalize('XVM-WXWO-GBL'),
       roomcode_normalize('xvmwxwogbl'), roomcode_normalize('  xvm wxwo gbl  '),
       roomcode_normalize('xvm.wxwo.gbl'), roomcode_normalize('Xvm - Wxwo - Gbl'),
       roomcode_normalize('xvm-wxwogbl');
SELECT 'links', roomcode_normalize('https://acme.app.100ms.live/meeting/xvm-wxwo-gbl'),
       roomcode_normalize('https://acme.app.100ms.live/preview/xvm-wxwo-gbl'),
       roomcode_normalize('https://acme.app.100ms.live/streaming/meeting/xvm-wxwo-gbl'),
       roomcode_normalize('https://acme.app.100ms.live/meeting/xvm-wxwo-gbl/host'),
       roomcode_normalize('https://meet.example.com/meeting/XVM-WXWO-GBL?name=ann#top'),
       roomcode_normalize('acme.app.100ms.live/meeting/xvm-wxwo-gbl'),
       roomcode_normalize('/meeting/xvm-wxwo-gbl'),
       roomcode_normalize('https://join.example.com/?code=xvm-wxwo-gbl');
-- a custom domain that looks like a code is a host, not the code
SELECT 'host', roomcode_normalize('https://abc.defg.hij/meeting/xvm-wxwo-gbl'),
       quote(roomcode_normalize('https://abc.defg.hij/'));
SELECT 'no code', quote(roomcode_normalize('xvm-wxwo-gb')), quote(roomcode_normalize('xvm-wxwo-gblx')),
       quote(roomcode_normalize('xv-mwxwo-gbl')), quote(roomcode_normalize('xvm-wxwo-gbl-')),
       quote(roomcode_normalize('')), quote(roomcode_normalize('   ')),
       quote(roomcode_normalize(NULL)), quote(roomcode_normalize(42)),
       quote(roomcode_normalize('xvm-wxwo-gbl' || char(0) || 'x')),
       quote(roomcode_normalize('https://acme.app.100ms.live/meeting/')),
       quote(roomcode_normalize('xvm-wxwö-gbl'));
-- generate: fresh, well-formed, and different each time
SELECT 'generate', count(*), sum(roomcode_valid(c)), count(DISTINCT c)
  FROM (SELECT roomcode_generate() AS c FROM generate_series(1, 1000));
SELECT 'generate letters', count(DISTINCT substr(c, 1, 1))
  FROM (SELECT roomcode_generate() AS c FROM generate_series(1, 2000));
-- generate stores nothing
SELECT 'tables', count(*) FROM sqlite_schema;
-- a word that reads as a code (con-fere-nce) does not displace the code a route marks
SELECT 'words', roomcode_normalize('https://example.com/conference/meeting/xvm-wxwo-gbl'),
       roomcode_normalize('https://x.com/a?team=conference&code=xvm-wxwo-gbl'),
       roomcode_normalize('https://x.com/r/xvm-wxwo-gbl?team=conference'),
       roomcode_normalize('https://x.com/conference');
-- text right after or before the code in its part
SELECT 'around', roomcode_normalize('https://x.com/r/xvm-wxwo-gblx'),
       roomcode_normalize('https://x.com/xvm-wxwo-gbl.html'),
       roomcode_normalize('https://x.com/room-xvm-wxwo-gbl-2');
-- a bare code followed by a slash, a query or a role
SELECT 'bare tail', roomcode_normalize('xvm-wxwo-gbl/'), roomcode_normalize('xvm-wxwo-gbl?x=1'),
       roomcode_normalize('xvm-wxwo-gbl/host'), roomcode_normalize(' XVM WXWO GBL/host ');
-- two codes and nothing to tell them apart: no code, never a guess
SELECT 'ambiguous', quote(roomcode_normalize('https://x.com/r/xvm-wxwo-gbl/abc-defg-hij')),
       quote(roomcode_normalize('https://x.com/meeting/xvm-wxwo-gbl?code=abc-defg-hij')),
       quote(roomcode_normalize('https://x.com/abcdefghij/klmnopqrst')),
       quote(roomcode_normalize('https://x.com/meeting/xvm-wxwo-gbl' || char(0)));
