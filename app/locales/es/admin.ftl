# Las páginas del administrador: cuentas (app/src/pages/admin.rs) y cómo le va al modelo
# (app/src/pages/stats.rs).
admin-title = Administración
admin-only-heading = Solo para administradores
admin-only-text = Esta página es para los administradores de trazo. Tu cuenta puede dibujar y subir dígitos.
admin-only-home = Volver a la página de inicio
admin-accounts-heading = Cuentas
admin-stats-link = Cómo le va al modelo
admin-search-label = Buscar por nombre de usuario
admin-search-button = Buscar
admin-accounts-loading = Cargando las cuentas…
# $count: cuántas (para el plural); $shown: el mismo número, formateado.
admin-account-count = { $count ->
    [one] { $shown } cuenta
   *[other] { $shown } cuentas
}
admin-col-username = Usuario
admin-col-role = Rol
admin-col-created = Creada
admin-col-status = Estado
admin-col-action = Acción
# $role: el rol de la cuenta tal como lo nombra el servidor (admin, user).
admin-role = { $role ->
    [admin] administrador
    [user] usuario
   *[other] { $role }
}
admin-status-active = activa
admin-status-disabled = desactivada
admin-you = Tú
admin-enable = Activar
admin-disable = Desactivar
# Los nombres accesibles de los botones; $name es el nombre de usuario de la cuenta.
admin-enable-user = Activar la cuenta de { $name }
admin-disable-user = Desactivar la cuenta de { $name }
admin-previous = ← Anterior
admin-next = Siguiente →
# /admin/stats
admin-stats-title = Cifras
admin-stats-heading = Cómo le va al modelo
admin-stats-accounts-link = Cuentas
admin-stats-loading = Cargando las cifras…
admin-stats-last-day = Predicciones, últimas 24 horas
admin-stats-last-month = Predicciones, últimos 30 días
admin-stats-cache = Respondidas desde la caché
admin-stats-refused = Rechazadas por el límite de frecuencia
admin-stats-labelled = Respuestas etiquetadas
admin-stats-labelled-value = { $labelled } (corregidas: { $corrected })
# Los textos alternativos de los gráficos (cada número llega ya formateado).
admin-chart-hours-alt = Predicciones por hora en las últimas 48 horas: respondidas, { $answered }; rechazadas por el límite de frecuencia, { $refused }.
admin-chart-days-alt = Predicciones por día en los últimos 30 días: respondidas, { $answered }; rechazadas por el límite de frecuencia, { $refused }.
admin-chart-confidence-alt = La confianza del modelo en los últimos 30 días, en diez intervalos: { $sure } de { $total } con { $threshold } o más.
admin-chart-confusion-alt = Matriz de confusión de las respuestas etiquetadas ({ $labelled }; corregidas: { $corrected }); la tabla de abajo tiene todas las celdas.
admin-chart-hours-caption = Por hora, en las últimas 48 horas (UTC)
admin-chart-days-caption = Por día, en los últimos 30 días (UTC)
admin-chart-confidence-caption = Cuánta confianza tuvo el modelo en los últimos 30 días
admin-chart-confusion-caption = Dígito real (filas) frente a la respuesta del modelo (columnas), para cada respuesta etiquetada
admin-confusion-summary = La matriz de confusión como tabla
admin-confusion-caption = Filas: el dígito real. Columnas: la respuesta del modelo.
admin-confusion-true-digit = Dígito real
