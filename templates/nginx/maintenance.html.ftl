<!DOCTYPE html>
<#-- The page every request to an app in maintenance gets, with status 503 (pier maintenance:on APP).
     To change it for every app, copy this template to /etc/pier/templates/nginx/maintenance.html.ftl;
     ${app} is the app's name. -->
<html lang="en">
<head><meta charset="utf-8"><title>Down for maintenance</title></head>
<body style="font-family: sans-serif; max-width: 36em; margin: 4em auto">
<h1>Down for maintenance</h1>
<p>${app} is being worked on and will be back shortly.</p>
</body>
</html>
