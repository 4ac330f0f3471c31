<?xml version="1.0" encoding="utf-8"?>
<!-- How a browser shows feed.xml (the site's Atom feed): a short page that says what a feed is,
     with the latest entries. Feed readers ignore it. Published as assets/feed.xsl; feed.xml
     points at it with an xml-stylesheet processing instruction (generator/site/feeds.py). -->
<xsl:stylesheet version="1.0"
                xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
                xmlns:a="http://www.w3.org/2005/Atom"
                exclude-result-prefixes="a">
  <xsl:output method="html" encoding="utf-8" indent="yes"
              doctype-system="about:legacy-compat"/>

  <!-- 2026-10-20T00:00:00Z -> Oct 20, 2026 -->
  <xsl:template name="day">
    <xsl:param name="stamp"/>
    <xsl:variable name="month" select="number(substring($stamp, 6, 2))"/>
    <time datetime="{substring($stamp, 1, 10)}">
      <xsl:value-of select="substring('JanFebMarAprMayJunJulAugSepOctNovDec', ($month - 1) * 3 + 1, 3)"/>
      <xsl:text> </xsl:text>
      <xsl:value-of select="number(substring($stamp, 9, 2))"/>
      <xsl:text>, </xsl:text>
      <xsl:value-of select="substring($stamp, 1, 4)"/>
    </time>
  </xsl:template>

  <!-- words joined by a hyphen ("k-nearest") stay on one line, as on the site's own titles -->
  <xsl:template name="nobreak">
    <xsl:param name="text"/>
    <xsl:variable name="word" select="substring-before(concat($text, ' '), ' ')"/>
    <xsl:choose>
      <xsl:when test="contains($word, '-') and string-length(translate($word, '-', '')) &gt; 0">
        <span class="nobreak"><xsl:value-of select="$word"/></span>
      </xsl:when>
      <xsl:otherwise><xsl:value-of select="$word"/></xsl:otherwise>
    </xsl:choose>
    <xsl:if test="contains($text, ' ')">
      <xsl:text> </xsl:text>
      <xsl:call-template name="nobreak">
        <xsl:with-param name="text" select="substring-after($text, ' ')"/>
      </xsl:call-template>
    </xsl:if>
  </xsl:template>

  <xsl:template match="/a:feed">
    <xsl:variable name="home" select="a:link[not(@rel) or @rel = 'alternate'][1]/@href"/>
    <html lang="en">
      <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <meta name="robots" content="noindex"/>
        <link rel="icon" href="assets/favicon.svg" type="image/svg+xml"/>
        <title><xsl:value-of select="a:title"/> · web feed</title>
        <style>
          :root { color-scheme: light dark; --bg: #f8fafc; --text: #111827; --soft: #374151;
                  --muted: #4b5563; --accent: #4338ca; --note: #eef2ff; --border: #e5e7eb; }
          @media (prefers-color-scheme: dark) {
            :root { --bg: #0b1020; --text: #e5e7eb; --soft: #cbd5e1; --muted: #a3adbd;
                    --accent: #a5b4fc; --note: #1e1b4b; --border: #273048; }
          }
          body { margin: 0; background: var(--bg); color: var(--text);
                 font: 400 1rem/1.6 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
          main { max-width: 42rem; margin: 0 auto; padding: 2.5rem 1rem 4rem; }
          a { color: var(--accent); }
          h1 { margin: 0 0 0.25rem; font-size: 2rem; line-height: 1.2; }
          .subtitle { margin: 0 0 1.5rem; color: var(--soft); }
          .note { margin: 0 0 2rem; padding: 0.9rem 1.1rem; border-radius: 0.6rem;
                  background: var(--note); }
          .note p { margin: 0; }
          .note p + p { margin-top: 0.4rem; }
          .note code { word-break: break-all; font-size: 0.9em; }
          h2 { margin: 0 0 1rem; font-size: 1.1rem; color: var(--muted); }
          ol { margin: 0; padding: 0; list-style: none; }
          li { padding: 1rem 0; border-top: 1px solid var(--border); }
          h3 { margin: 0; font-size: 1.15rem; line-height: 1.35; }
          h3 a { text-decoration: none; }
          h3 a:hover { text-decoration: underline; }
          .date { margin: 0.2rem 0 0; color: var(--muted); font-size: 0.9rem; }
          .nobreak { display: inline-block; }
          .summary { margin: 0.4rem 0 0; color: var(--soft); }
        </style>
      </head>
      <body>
        <main>
          <h1><xsl:value-of select="a:title"/></h1>
          <xsl:if test="a:subtitle">
            <p class="subtitle"><xsl:value-of select="a:subtitle"/></p>
          </xsl:if>
          <div class="note">
            <p><strong>This is a web feed:</strong> copy its address into your feed reader to
              follow new posts and projects.</p>
            <p><code><xsl:value-of select="a:link[@rel = 'self']/@href"/></code></p>
            <p><a href="{$home}">Visit the site</a></p>
          </div>
          <h2>Latest</h2>
          <ol>
            <xsl:for-each select="a:entry">
              <li>
                <h3><a href="{a:link[not(@rel) or @rel = 'alternate'][1]/@href}"><xsl:call-template name="nobreak"><xsl:with-param name="text" select="normalize-space(a:title)"/></xsl:call-template></a></h3>
                <p class="date">
                  <xsl:call-template name="day">
                    <xsl:with-param name="stamp" select="a:published"/>
                  </xsl:call-template>
                  <xsl:if test="substring(a:updated, 1, 10) != substring(a:published, 1, 10)">
                    <xsl:text> · updated </xsl:text>
                    <xsl:call-template name="day">
                      <xsl:with-param name="stamp" select="a:updated"/>
                    </xsl:call-template>
                  </xsl:if>
                </p>
                <xsl:if test="a:summary">
                  <p class="summary"><xsl:value-of select="a:summary"/></p>
                </xsl:if>
              </li>
            </xsl:for-each>
          </ol>
        </main>
      </body>
    </html>
  </xsl:template>
</xsl:stylesheet>
