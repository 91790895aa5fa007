-- Each subgraph owns its database (architecture rule 1); the subgraphs migrate them at start.
CREATE DATABASE motcua_intake;
CREATE DATABASE motcua_postal;
CREATE DATABASE motcua_transport;
CREATE DATABASE motcua_police;
CREATE DATABASE motcua_industry_trade;
