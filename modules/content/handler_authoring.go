package content

import "onramp/app/auth"

func (m *Handlers) authoringRoutes(r *auth.Routes) {}
